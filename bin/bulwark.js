#!/usr/bin/env -S node --max-semi-space-size=8
// The flag caps V8's young generation at 8 MB a semi-space; by default Node 24 let it grow
// to 64 MB on our 24 GB machines. A scan allocates fast and briefly, and the larger space
// only touched more memory (each page a page fault, which costs here). On the 10k bench set
// (2-core machine): peak RSS ~370 MB by default, ~235 MB at 16, ~220 MB at 8, with wall and
// CPU time lowest at 4-8 (within a few per cent); on the 50k set 8 took ~15 % less CPU than 16.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `bulwark: Node.js 24 or newer is required (this is ${process.version}); run it through npx or npm scripts, which use the project's pinned Node 24\n`,
  );
  process.exit(2);
}
// V8's compiled code for our modules is kept on disk (under the OS temp folder) and reused
// by the next run: about 100 ms less start-up for a scan. Where that folder cannot be
// written, Node simply runs without it.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/bundle/main.js');
