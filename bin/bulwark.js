#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm run build`, which `npm ci` runs via `prepare`).
// Bulwark targets Node.js 24 (the Kubernetes client's HTTP stack needs it); inside the
// project, npm scripts and npx put the pinned Node 24 first on PATH.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `bulwark: Node.js 24 or newer is required (this is ${process.version}); run it through npx or npm scripts, which use the project's pinned Node 24\n`,
  );
  process.exit(2);
}
await import('../dist/src/cli/main.js');
