/**
 * Generates manifest sets of the shape SPEC §10 benchmarks the scanner on: workloads
 * (Deployments, StatefulSets, DaemonSets, CronJobs and bare Pods) spread over namespaces,
 * each namespace with its ServiceAccounts, a Role and RoleBinding and NetworkPolicies. The
 * 10,000-workload set comes to about 13.5 MB of YAML in 11,400 documents, as measured for
 * the peers. Output is deterministic (a seeded generator), so runs compare like with like.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { random } from './random.js';

export interface ManifestSetOptions {
  /** Workload objects in total (each carries one pod template). */
  readonly workloads: number;
  readonly namespaces: number;
}

export interface ManifestSet {
  readonly dir: string;
  readonly files: number;
  readonly documents: number;
  readonly bytes: number;
}

// Per 50 workloads, roughly what a production cluster runs.
const MIX: readonly (readonly [kind: string, share: number])[] = [
  ['Deployment', 25],
  ['StatefulSet', 8],
  ['DaemonSet', 4],
  ['CronJob', 5],
  ['Pod', 8],
];

/** The app container carries ports, env and a probe; the sidecar only what checks read. */
function container(
  name: string,
  image: string,
  rnd: () => number,
  hardened: boolean,
  sidecar: boolean,
): string {
  const lines = [`      - name: ${name}`, `        image: ${image}`];
  if (!sidecar) {
    lines.push(
      `        ports:`,
      `        - containerPort: ${8000 + Math.floor(rnd() * 1000)}`,
      `          name: http`,
      `        env:`,
      `        - name: LOG_LEVEL`,
      `          value: info`,
    );
    if (rnd() < 0.05)
      lines.push(`        - name: DB_PASSWORD`, `          value: "hunter2-${Math.floor(rnd() * 1e6)}"`);
  }
  if (rnd() < 0.9) {
    lines.push(
      `        resources:`,
      `          requests:`,
      `            cpu: ${50 + Math.floor(rnd() * 450)}m`,
      `            memory: ${64 + Math.floor(rnd() * 448)}Mi`,
      `          limits:`,
      `            cpu: "1"`,
      `            memory: 512Mi`,
    );
  }
  if (!sidecar) lines.push(`        readinessProbe:`, `          httpGet: {path: /healthz, port: http}`);
  if (hardened) {
    lines.push(
      `        securityContext:`,
      `          allowPrivilegeEscalation: false`,
      `          readOnlyRootFilesystem: true`,
      `          runAsNonRoot: true`,
      `          capabilities:`,
      `            drop: ["ALL"]`,
      `          seccompProfile:`,
      `            type: RuntimeDefault`,
    );
  } else if (rnd() < 0.3) {
    lines.push(`        securityContext:`, `          privileged: true`);
  }
  return lines.join('\n');
}

function podSpec(app: string, ns: string, rnd: () => number, indent: string): string {
  const hardened = rnd() < 0.6;
  const tag = rnd() < 0.1 ? 'latest' : `1.${Math.floor(rnd() * 30)}.${Math.floor(rnd() * 10)}`;
  const registry = rnd() < 0.8 ? 'registry.example.com/' : 'docker.io/library/';
  const spec = [
    `serviceAccountName: ${rnd() < 0.2 ? 'default' : `${ns}-app`}`,
    ...(rnd() < 0.5 ? ['automountServiceAccountToken: false'] : []),
    ...(rnd() < 0.03 ? ['hostNetwork: true'] : []),
    'containers:',
    container(app, `${registry}${app}:${tag}`, rnd, hardened, false),
    // Most, not all, pods carry a mesh sidecar.
    ...(rnd() < 0.8
      ? [container('sidecar', `registry.example.com/envoy:1.31.${Math.floor(rnd() * 5)}`, rnd, true, true)]
      : []),
  ];
  if (rnd() < 0.04) spec.push('volumes:', '- name: host', '  hostPath:', '    path: /var/run');
  return spec
    .join('\n')
    .split('\n')
    .map((line) => indent + line.replace(/^ {6}/, ''))
    .join('\n');
}

function workload(kind: string, name: string, ns: string, rnd: () => number): string {
  const labels = `app.kubernetes.io/name: ${name}\n    app.kubernetes.io/part-of: shop`;
  const head = `apiVersion: ${kind === 'Pod' ? 'v1' : kind === 'CronJob' ? 'batch/v1' : 'apps/v1'}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n    ${labels}\n`;
  if (kind === 'Pod') return `${head}spec:\n${podSpec(name, ns, rnd, '  ')}\n`;
  const template = `    metadata:\n      labels:\n        app.kubernetes.io/name: ${name}\n    spec:\n${podSpec(name, ns, rnd, '      ')}\n`;
  if (kind === 'CronJob') {
    const job = template
      .split('\n')
      .map((line) => (line === '' ? line : `    ${line}`))
      .join('\n');
    return `${head}spec:\n  schedule: "*/${5 + Math.floor(rnd() * 50)} * * * *"\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      backoffLimit: 2\n      template:\n${job.replace(/^ {8}spec:$/m, '        spec:\n          restartPolicy: OnFailure')}`;
  }
  const replicas = kind === 'DaemonSet' ? '' : `  replicas: ${1 + Math.floor(rnd() * 5)}\n`;
  const service = kind === 'StatefulSet' ? `  serviceName: ${name}\n` : '';
  return `${head}spec:\n${replicas}${service}  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${name}\n  template:\n${template}`;
}

function namespaceObjects(ns: string, index: number, rnd: () => number): string[] {
  const labelled = index % 4 !== 0;
  const docs = [
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    team: team-${index % 20}\n${labelled ? '    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n' : ''}`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${ns}-app\n  namespace: ${ns}\nautomountServiceAccountToken: false\n`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${ns}-deployer\n  namespace: ${ns}\n`,
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: ${ns}\nrules:\n- apiGroups: ["apps"]\n  resources: ["deployments", "statefulsets"]\n  verbs: ["get", "list", "watch", "update", "patch"]\n- apiGroups: [""]\n  resources: ["${rnd() < 0.3 ? 'secrets' : 'configmaps'}"]\n  verbs: ["get", "list"]\n`,
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer\n  namespace: ${ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: deployer\nsubjects:\n- kind: ServiceAccount\n  name: ${ns}-deployer\n  namespace: ${ns}\n`,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: ["Ingress", "Egress"]\n`,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-frontend\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/part-of: shop\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress\n    ports:\n    - port: 8080\n      protocol: TCP\n`,
  ];
  return docs;
}

/** Writes one YAML file per namespace into `dir` and returns what was written. */
export async function generateManifestSet(dir: string, options: ManifestSetOptions): Promise<ManifestSet> {
  await mkdir(dir, { recursive: true });
  const rnd = random(0x5eed ^ options.workloads);
  const shares = MIX.reduce((sum, [, share]) => sum + share, 0);
  let documents = 0;
  let bytes = 0;
  let made = 0;
  for (let n = 0; n < options.namespaces; n++) {
    const ns = `team-${String(n).padStart(4, '0')}`;
    const docs = namespaceObjects(ns, n, rnd);
    // Spread the remainder so the total is exact whatever the division leaves.
    const quota = Math.floor(((n + 1) * options.workloads) / options.namespaces) - made;
    for (let i = 0; i < quota; i++) {
      let pick = (i * shares) / quota;
      const entry = MIX.find(([, share]) => (pick -= share) < 0) ?? MIX[0];
      const kind = entry?.[0] ?? 'Deployment';
      docs.push(workload(kind, `${kind.toLowerCase()}-${i}`, ns, rnd));
    }
    made += quota;
    const text = docs.map((doc) => `---\n${doc}`).join('');
    documents += docs.length;
    bytes += Buffer.byteLength(text);
    await writeFile(join(dir, `${ns}.yaml`), text);
  }
  return { dir, files: options.namespaces, documents, bytes };
}
