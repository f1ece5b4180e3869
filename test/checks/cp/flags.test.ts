import assert from 'node:assert/strict';
import type { ControlPlaneComponent } from '../../../src/checks/cp/flags.js';
import { readBool, readCommandLine } from '../../../src/checks/cp/flags.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, skip } from '../../../src/engine/types.js';
import { apiserver, container, etcd, staticPod } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly component?: ControlPlaneComponent;
  /** Expected effective values (undefined: unset), or the outcome reading stops with. */
  readonly expected: Readonly<Record<string, string | undefined>> | CheckOutcome;
  /** Expected list-flag values. */
  readonly lists?: Readonly<Record<string, readonly string[]>>;
}

const cases: Case[] = [
  {
    name: '--flag=value and --flag value',
    subject: apiserver(['--audit-log-path', '/var/log/audit.log', '--profiling=false']),
    expected: { 'audit-log-path': '/var/log/audit.log', profiling: 'false' },
  },
  {
    name: 'command and args are read together',
    subject: apiserver(['--profiling=false'], (pod) => (container(pod)['args'] = ['--anonymous-auth=false'])),
    expected: { profiling: 'false', 'anonymous-auth': 'false' },
  },
  {
    name: 'args alone (the image entrypoint is the binary)',
    subject: apiserver([], (pod) => {
      delete container(pod)['command'];
      container(pod)['args'] = ['--profiling=false'];
    }),
    expected: { profiling: 'false' },
  },
  {
    name: 'the last occurrence wins',
    subject: apiserver(['--profiling=false', '--profiling=true']),
    expected: { profiling: 'true' },
  },
  {
    name: 'a bare boolean flag is true and does not take the next word',
    subject: apiserver(['--profiling', '--anonymous-auth=false']),
    expected: { profiling: 'true', 'anonymous-auth': 'false' },
  },
  {
    name: 'an unknown bare flag before another flag is read as a boolean',
    subject: apiserver(['--some-new-switch', '--profiling=false']),
    expected: { 'some-new-switch': 'true', profiling: 'false' },
  },
  {
    name: 'underscores in kube-apiserver flag names read as dashes',
    subject: apiserver(['--anonymous_auth=false']),
    expected: { 'anonymous-auth': 'false' },
  },
  {
    name: 'a single dash works too',
    subject: apiserver(['-profiling=false']),
    expected: { profiling: 'false' },
  },
  {
    name: 'a value may contain =',
    subject: apiserver(['--feature-gates=A=true,B=false']),
    expected: { 'feature-gates': 'A=true,B=false' },
  },
  {
    name: 'list flags accumulate across occurrences and commas',
    subject: apiserver(['--authorization-mode=Node', '--authorization-mode', 'RBAC,Webhook']),
    expected: {},
    lists: { 'authorization-mode': ['Node', 'RBAC', 'Webhook'] },
  },
  {
    name: 'a sh -c script is split into words',
    subject: apiserver(
      [],
      (pod) =>
        (container(pod)['command'] = [
          '/bin/sh',
          '-c',
          'exec kube-apiserver --profiling=false "--audit-log-path=/a b" && echo done',
        ]),
    ),
    expected: { profiling: 'false', 'audit-log-path': '/a b' },
  },
  {
    name: 'the container is found by name among several',
    subject: apiserver(['--profiling=false'], (pod) => {
      const spec = pod['spec'] as { containers: unknown[] };
      spec.containers.unshift({ name: 'sidecar', command: ['proxy', '--profiling=true'] });
    }),
    expected: { profiling: 'false' },
  },
  {
    name: 'etcd reads ETCD_* variables for flags not on the command line',
    component: 'etcd',
    subject: etcd(['--client-cert-auth=true'], (pod) => {
      container(pod)['env'] = [
        { name: 'ETCD_CLIENT_CERT_AUTH', value: 'false' },
        { name: 'ETCD_PEER_AUTO_TLS', value: 'true' },
        { name: 'ETCD_CERT_FILE', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } },
      ];
    }),
    expected: { 'client-cert-auth': 'true', 'peer-auto-tls': 'true', 'cert-file': undefined },
  },
  {
    name: 'kube-apiserver ignores ETCD_* variables',
    subject: apiserver([], (pod) => (container(pod)['env'] = [{ name: 'ETCD_PROFILING', value: 'false' }])),
    expected: { profiling: undefined },
  },
  {
    name: 'etcd with --config-file is skipped',
    component: 'etcd',
    subject: etcd(['--config-file=/etc/etcd/etcd.yaml']),
    expected: skip('etcd reads its settings from --config-file, which is not visible in the pod'),
  },
  {
    name: 'a stray word after a boolean flag is refused, as the component would',
    subject: apiserver(['--profiling', 'false']),
    expected: checkError(
      'InvalidCommand',
      'container "kube-apiserver": kube-apiserver would refuse to start: unexpected argument "false" ' +
        '(a boolean flag takes its value as --profiling=false)',
    ),
  },
  {
    name: 'arguments after -- are refused',
    subject: apiserver(['--profiling=false', '--', 'extra']),
    expected: checkError(
      'InvalidCommand',
      'container "kube-apiserver": kube-apiserver would refuse to start: unexpected argument "extra"',
    ),
  },
  {
    name: 'not a control-plane pod: wrong namespace',
    subject: apiserver(undefined, (pod) => (pod.metadata = { ...pod.metadata, namespace: 'default' })),
    expected: skip('not a static pod of kube-apiserver'),
  },
  {
    name: 'not a control-plane pod: no tier label',
    subject: apiserver(
      undefined,
      (pod) => (pod.metadata = { ...pod.metadata, labels: { component: 'kube-apiserver' } }),
    ),
    expected: skip('not a static pod of kube-apiserver'),
  },
  {
    name: 'not this component: the etcd pod read as kube-apiserver',
    subject: etcd(),
    expected: skip('not a static pod of kube-apiserver'),
  },
  {
    name: 'identified by name when there is no component label',
    subject: apiserver(
      ['--profiling=false'],
      (pod) => (pod.metadata = { ...pod.metadata, labels: { tier: 'control-plane' } }),
    ),
    expected: { profiling: 'false' },
  },
  {
    name: 'a Deployment is not a static pod',
    subject: { ...apiserver(), kind: 'Deployment' },
    expected: skip('not a static pod of kube-apiserver'),
  },
  {
    name: 'malformed: spec missing',
    subject: apiserver(undefined, (pod) => delete pod['spec']),
    expected: checkError('InvalidPodSpec', 'spec is missing or not an object'),
  },
  {
    name: 'malformed: containers not a list',
    subject: apiserver(undefined, (pod) => (pod['spec'] = { containers: 'kube-apiserver' })),
    expected: checkError('InvalidPodSpec', 'spec.containers is not a list'),
  },
  {
    name: 'malformed: no container to read',
    subject: apiserver(undefined, (pod) => (pod['spec'] = { containers: [{ name: 'a' }, { name: 'b' }] })),
    expected: checkError('ComponentNotFound', 'no container named kube-apiserver or running it'),
  },
  {
    name: 'malformed: command is a string',
    subject: apiserver(undefined, (pod) => (container(pod)['command'] = 'kube-apiserver --profiling=false')),
    expected: checkError('InvalidCommand', 'container "kube-apiserver": command is not a list'),
  },
  {
    name: 'malformed: an argument is a number',
    subject: apiserver(undefined, (pod) => (container(pod)['args'] = ['--audit-log-maxage', 30])),
    expected: checkError('InvalidCommand', 'container "kube-apiserver": args[1] is not a string'),
  },
  {
    name: 'a pod with an unnamed container still reads it',
    subject: staticPod('kube-apiserver', ['--profiling=false'], (pod) => delete container(pod)['name']),
    expected: { profiling: 'false' },
  },
];

describe('cp flag reading', () => {
  for (const c of cases) {
    it(c.name, () => {
      const read = readCommandLine(c.subject, c.component ?? 'kube-apiserver');
      if ('status' in c.expected) {
        assert.deepStrictEqual(read, { ok: false, outcome: c.expected });
        return;
      }
      assert.ok(read.ok, JSON.stringify(read));
      for (const [name, value] of Object.entries(c.expected))
        assert.equal(read.flags.value(name), value, name);
      for (const [name, values] of Object.entries(c.lists ?? {}))
        assert.deepEqual(read.flags.list(name), values, name);
    });
  }

  const bools: [string, boolean | 'invalid'][] = [
    ['true', true],
    ['1', true],
    ['t', true],
    ['TRUE', true],
    ['True', true],
    ['false', false],
    ['0', false],
    ['f', false],
    ['FALSE', false],
    ['yes', 'invalid'],
    ['', 'invalid'],
  ];
  for (const [raw, expected] of bools) {
    it(`reads booleans as Go does: "${raw}"`, () => {
      const read = readCommandLine(apiserver([`--profiling=${raw}`]), 'kube-apiserver');
      assert.ok(read.ok);
      const value = readBool(read.flags, 'profiling', true);
      if (expected === 'invalid') {
        assert.deepStrictEqual(value, {
          ok: false,
          outcome: checkError('InvalidFlag', `--profiling=${raw} is not a boolean`),
        });
      } else assert.deepStrictEqual(value, { ok: true, value: expected, set: true });
    });
  }
});
