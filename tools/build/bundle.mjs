/**
 * `npm run build`'s second step: the command line as a few ES modules in dist/bundle/,
 * which bin/bulwark.js loads. Node spends about a millisecond on each module it resolves,
 * reads and links; the compiled tree (dist/src/, which the container image and the tests
 * of the compiled code use) is some 130 of them for a scan, and its start-up took about
 * 50 ms longer than the bundle's (2-core machine, `bulwark checks`, 8 runs each).
 *
 * Commands stay lazily loaded: each dynamic import() becomes a chunk of its own, so
 * `bulwark scan` still never loads the Kubernetes client. The two worker modules are
 * entry points beside the chunks, where the code that starts them looks for them (a URL
 * relative to the module's own). Packages from node_modules stay external: they are
 * loaded as installed, as in the compiled tree.
 */
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Another folder may be named (the bundle's tests build one of their own).
const outdir = resolve(process.argv[2] ?? join(root, 'dist', 'bundle'));

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/cli/main.ts',
    'read-worker': 'src/manifests/read-worker.ts',
    'pod-check-worker': 'src/cli/scan/pod-check-worker.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
