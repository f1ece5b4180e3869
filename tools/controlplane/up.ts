// Starts the local control plane by hand and keeps it up until Ctrl-C, for
// debugging e2e tests or trying Bulwark without a cluster of your own:
//
//   node --import tsx tools/controlplane/up.ts [--keep]
//
// It prints the kubeconfig to export; --keep leaves the directory (logs,
// certificates, etcd data) after exit. The same code the e2e hooks use
// (src/localcluster), so what works here works there.
import { startLocalCluster } from '../../src/localcluster/index.js';

const keepDir = process.argv.includes('--keep');
const cluster = await startLocalCluster({
  keepDir,
  log: (line) => process.stderr.write(`[controlplane] ${line}\n`),
});
process.stderr.write(
  `[controlplane] up in ${cluster.timings.totalSeconds}s; logs in ${cluster.dir}/logs; Ctrl-C stops it\n`,
);
process.stdout.write(`export KUBECONFIG=${cluster.kubeconfigPath}\n`);
if (cluster.binaries.kubectl !== undefined) {
  process.stdout.write(`alias kubectl=${cluster.binaries.kubectl}\n`);
}

let stopping = false;
const shutdown = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`[controlplane] ${signal}: stopping\n`);
  cluster.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`[controlplane] stop failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Keep the event loop alive: the components are unref'd child processes.
setInterval(() => undefined, 1 << 30);
