/**
 * `bulwark demo`: the operator itself, in one command, with no cluster of the user's own
 * (SPEC §6). It starts the project's local control plane (the one the e2e suites use),
 * installs the CRDs and deploy/'s RBAC, applies the insecure example application and the
 * example policy, runs the controller as its own ServiceAccount, prints what an auditor
 * sees with kubectl and a few metrics, and cleans everything up.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Controller } from '../../controller/controller.js';
import { KubeClient, loadKubeConfig } from '../../controller/kube-client.js';
import { findingsOf } from '../../controller/report-content.js';
import type { ReportBody } from '../../controller/report-content.js';
import { SEVERITY_RANK } from '../../engine/types.js';
import type { LocalCluster } from '../../localcluster/index.js';
import { startLocalCluster } from '../../localcluster/index.js';
import { createLogger } from '../../logging/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { resolveRunOptions } from '../run/options.js';

const run = promisify(execFile);

export interface DemoIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** The package root (where crds/, deploy/ and examples/ are), from src/ or dist/src/. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'crds'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the bulwark package root above ${from}`);
    dir = parent;
  }
  return dir;
}

export const DEMO_HELP = `Usage: bulwark demo

Starts a local Kubernetes control plane (kube-apiserver, kube-controller-manager and etcd,
built from Go modules on first use and cached under ~/.cache/bulwark), installs Bulwark's
CRDs and RBAC, applies the insecure example application and the example SecurityPolicy,
runs the controller against it as its own ServiceAccount, prints the reports an auditor
would read and a few metrics, then stops everything. Needs Go and openssl.
`;

export async function demoCommand(argv: readonly string[], io: DemoIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(DEMO_HELP);
    return 0;
  }
  if (argv.length > 0) {
    io.stderr.write(`bulwark demo: unexpected argument ${argv[0]}\n\n${DEMO_HELP}`);
    return 2;
  }
  const root = packageRoot();
  const say = (line: string): void => void io.stderr.write(`demo: ${line}\n`);
  let cluster: LocalCluster | undefined;
  let controller: Controller | undefined;
  try {
    say('starting the local control plane (the first run builds it from Go modules: several minutes)');
    cluster = await startLocalCluster({ log: (line) => say(line) });
    const kubectlPath = cluster.binaries.kubectl;
    if (kubectlPath === undefined)
      throw new Error('no kubectl: neither built beside the control plane nor on PATH');
    const admin = cluster.kubeconfigPath;
    const kubectl = async (...args: string[]): Promise<string> =>
      (await run(kubectlPath, ['--kubeconfig', admin, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;

    say('installing the CRDs and the operator RBAC from crds/ and deploy/');
    await kubectl('apply', '--server-side', '-k', join(root, 'crds'));
    await kubectl(
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd',
      '-l',
      'app.kubernetes.io/part-of=bulwark',
    );
    await kubectl('apply', '--server-side', '-k', join(root, 'deploy'));
    say('applying examples/insecure-app and examples/policies');
    await kubectl('apply', '--server-side', '-f', join(root, 'examples', 'insecure-app', 'namespace.yaml'));
    await waitForServiceAccounts(kubectl, 'storefront');
    await kubectl('apply', '--server-side', '-f', join(root, 'examples', 'insecure-app'));
    await kubectl('apply', '--server-side', '-f', join(root, 'examples', 'policies'));

    say('running the controller as ServiceAccount bulwark-system/bulwark');
    const metrics = createMetrics();
    const operatorConfig = await cluster.kubeconfigForServiceAccount('bulwark-system', 'bulwark');
    // `bulwark run` with its defaults, as a deployment starts it; only where it listens and
    // who it is differ.
    controller = new Controller({
      ...resolveRunOptions({}, {}),
      client: new KubeClient(loadKubeConfig(operatorConfig), {
        onApiError: (verb, code) => metrics.apiErrors.inc({ verb, code }),
      }),
      metrics,
      log: createLogger('warn', process.stderr),
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      leaseNamespace: 'bulwark-system',
      leaseName: 'bulwark-leader',
      identity: 'bulwark-demo',
    });
    await controller.start();
    await waitForStableReports(kubectl);

    const show = async (title: string, ...args: string[]): Promise<void> => {
      io.stdout.write(`\n$ kubectl ${title}\n${await kubectl(...args)}`);
    };
    await show('get securitypolicies', 'get', 'securitypolicies');
    await show('get securityreports -A', 'get', 'securityreports', '-A');
    await show('get clustersecurityreports', 'get', 'clustersecurityreports');
    const report = JSON.parse(
      await kubectl('get', 'securityreport', 'production', '-n', 'storefront', '-o', 'json'),
    ) as ReportBody;
    io.stdout.write(
      '\nMost severe findings in storefront (kubectl get securityreport production -n storefront -o yaml):\n',
    );
    for (const f of findingsOf(report)
      .filter((x) => x.severity === 'critical' || x.severity === 'high')
      .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])
      .slice(0, 8)) {
      io.stdout.write(
        `  ${f.severity.padEnd(8)} ${f.checkId.padEnd(34)} ${f.resource.kind}/${f.resource.name}: ${f.message}\n`,
      );
    }
    const address = controller.metricsAddress;
    if (address !== undefined) {
      const text = await (await fetch(`http://${address.host}:${address.port}/metrics`)).text();
      const wanted = /^bulwark_(compliance_score|leader|report_writes_total|watched_objects)\b/;
      io.stdout.write(`\n$ curl -s http://${address.host}:${address.port}/metrics | grep ...\n`);
      for (const line of text
        .split('\n')
        .filter((l) => wanted.test(l))
        .slice(0, 14))
        io.stdout.write(`${line}\n`);
    }
    io.stdout.write(
      '\nThe same engine offline: npx bulwark scan examples/ --policy examples/policies/production.yaml\n',
    );
    return 0;
  } catch (error) {
    io.stderr.write(`bulwark demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    say('cleaning up');
    await controller?.stop();
    await cluster?.stop();
  }
}

async function waitForServiceAccounts(
  kubectl: (...args: string[]) => Promise<string>,
  namespace: string,
): Promise<void> {
  // The API server refuses pods until the controller-manager has made the namespace's
  // default ServiceAccount.
  for (let i = 0; i < 300; i++) {
    try {
      await kubectl('get', 'serviceaccount', 'default', '-n', namespace);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`ServiceAccount ${namespace}/default did not appear`);
}

/** Waits until reports exist and have stopped changing: the first full evaluation is done. */
async function waitForStableReports(kubectl: (...args: string[]) => Promise<string>): Promise<void> {
  let last = '';
  let stableSince = Date.now();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const now = await kubectl(
      'get',
      'securityreports,clustersecurityreports',
      '-A',
      '-o',
      'jsonpath={range .items[*]}{.metadata.resourceVersion} {end}',
    );
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (now.trim() !== '' && Date.now() - stableSince > 3000) return;
    await sleep(500);
  }
  throw new Error('the reports did not settle within 2 minutes');
}
