/**
 * Measured on test/controller/fixtures/pod-running.json (a running Deployment pod with two
 * containers, managedFields of kube-controller-manager and kubelet, full status; 8,681
 * bytes of compact JSON, close to SPEC §9's typical 8.4 kB):
 *
 *   JSON length     8,681 B full  →  2,198 B trimmed (25 %)
 *   V8 heap/pod    17,743 B parsed →    326 B trimmed, strings interned and equal
 *                                       sub-objects shared (2 %)
 *
 * Heap figures from 20,000 copies as replicas differ (name, uid, resourceVersion and
 * creationTimestamp varied) held in an array, `node --expose-gc`, heapUsed after a full
 * GC, Node 24 (re-measured 2026-11-24: 721 B a pod before managedFields were cut to the
 * entry drift attribution reads and creationTimestamp dropped, 371 B before objects of
 * more than four fields were laid out with all fields in the object). Trimming with
 * sharing costs about 25-30 µs a pod against about 40 µs for JSON.parse of the same pod.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  REDACTED_ENV_VALUE,
  sameForEvaluation,
  trimObject,
  withFieldsInObject,
} from '../../src/controller/trim.js';
import type { KubeObject } from '../../src/engine/objects.js';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const entry of Object.values(value)) deepFreeze(entry);
    Object.freeze(value);
  }
  return value;
}

const RUNNING_POD_TRIMMED = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-7d9c8b5f4-x2k8p',
    namespace: 'shop',
    uid: '0f8a2c4e-9b1d-4e6f-8a3c-5d7e9f1b2c4a',
    resourceVersion: '184467',
    labels: { app: 'web', 'pod-template-hash': '7d9c8b5f4', team: 'storefront', version: '2.14.1' },
    annotations: {
      'kubectl.kubernetes.io/restartedAt': '2026-11-20T09:13:58Z',
      'prometheus.io/port': '9090',
      'prometheus.io/scrape': 'true',
    },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-7d9c8b5f4',
        uid: '5b1e0c1e-2f6d-4c57-9a51-0d8e4f3b7a21',
        controller: true,
      },
    ],
    // Its managedFields name kube-controller-manager and kubelet only: nobody to attribute a change to.
  },
  spec: {
    securityContext: { runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    serviceAccountName: 'web',
    serviceAccount: 'web',
    restartPolicy: 'Always',
    containers: [
      {
        name: 'web',
        image: 'registry.example.com/shop/web:2.14.1',
        imagePullPolicy: 'IfNotPresent',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        securityContext: {
          capabilities: { drop: ['ALL'] },
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        },
        resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
        volumeMounts: [
          { name: 'config', readOnly: true, mountPath: '/etc/web' },
          {
            name: 'kube-api-access-9xk2f',
            readOnly: true,
            mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
          },
        ],
        livenessProbe: { httpGet: {} },
        readinessProbe: { httpGet: {} },
        env: [
          { name: 'DATABASE_PASSWORD', value: REDACTED_ENV_VALUE },
          { name: 'LOG_LEVEL', value: REDACTED_ENV_VALUE },
          { name: 'FEATURE_FLAGS', value: '' },
          { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'api-token' } } },
        ],
      },
      {
        name: 'log-shipper',
        image: 'docker.io/fluent/fluent-bit:3.1',
        imagePullPolicy: 'IfNotPresent',
        resources: { requests: { cpu: '50m', memory: '64Mi' } },
        volumeMounts: [
          {
            name: 'kube-api-access-9xk2f',
            readOnly: true,
            mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
          },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
      {
        name: 'kube-api-access-9xk2f',
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt' } },
            { downwardAPI: {} },
          ],
          defaultMode: 420,
        },
      },
    ],
  },
  status: { phase: 'Running' },
};

describe('trimObject on a realistic running pod', () => {
  it('keeps exactly the fields evaluation reads', () => {
    assert.deepEqual(trimObject(fixture('pod-running.json')), RUNNING_POD_TRIMMED);
  });

  it('is under a third of the JSON size', () => {
    const pod = fixture('pod-running.json');
    const full = JSON.stringify(pod).length;
    const trimmed = JSON.stringify(trimObject(pod)).length;
    assert.equal(full, 8_681);
    assert.equal(trimmed, 2_198);
  });

  it('never keeps an env value, whatever the container kind', () => {
    const pod = fixture('pod-running.json');
    const spec = pod['spec'] as Record<string, unknown>;
    spec['initContainers'] = [
      { name: 'migrate', image: 'migrate:1', env: [{ name: 'PGPASSWORD', value: 'init-secret-value' }] },
    ];
    spec['ephemeralContainers'] = [
      { name: 'debug', image: 'busybox:1', env: [{ name: 'TOKEN', value: 'ephemeral-secret-value' }] },
    ];
    const text = JSON.stringify(trimObject(pod));
    for (const secret of ['hunter2-prod-Zq8!', 'init-secret-value', 'ephemeral-secret-value', '"info"']) {
      assert.equal(text.includes(secret), false, `${secret} leaked into the cache`);
    }
  });

  it('does not modify its input', () => {
    const pod = deepFreeze(fixture('pod-running.json'));
    assert.deepEqual(trimObject(pod), RUNNING_POD_TRIMMED);
  });

  it('shares equal sub-objects between replicas, and only equal ones', () => {
    const replica = (name: string, image?: string): Record<string, unknown> => {
      const pod = fixture('pod-running.json');
      (pod['metadata'] as Record<string, unknown>)['name'] = name;
      (pod['metadata'] as Record<string, unknown>)['uid'] = `uid-${name}`;
      if (image !== undefined) {
        ((pod['spec'] as Record<string, unknown>)['containers'] as Record<string, unknown>[])[0]!['image'] =
          image;
      }
      return pod;
    };
    type Trimmed = { metadata: Record<string, unknown>; spec: { containers: Record<string, unknown>[] } };
    const a = trimObject(replica('web-a')) as unknown as Trimmed;
    const b = trimObject(replica('web-b')) as unknown as Trimmed;
    const c = trimObject(replica('web-c', 'registry.example.com/web:other')) as unknown as Trimmed;
    assert.notEqual(a.metadata, b.metadata);
    assert.equal(b.metadata['name'], 'web-b');
    assert.equal(a.spec, b.spec, 'identical specs are one object');
    assert.equal(a.metadata['labels'], b.metadata['labels']);
    assert.notEqual(a.spec, c.spec, 'a different image is a different spec');
    assert.notEqual(a.spec.containers[0], c.spec.containers[0]);
    assert.equal(c.spec.containers[0]?.['image'], 'registry.example.com/web:other');
    assert.equal(
      a.spec.containers[0]?.['resources'],
      c.spec.containers[0]?.['resources'],
      'what is equal is still shared',
    );
    assert.equal(a.spec.containers[1], c.spec.containers[1]);
    assert.deepEqual(a, {
      ...RUNNING_POD_TRIMMED,
      metadata: { ...RUNNING_POD_TRIMMED.metadata, name: 'web-a', uid: 'uid-web-a' },
    });
  });
});

interface Case {
  readonly name: string;
  readonly input: unknown;
  readonly expected: unknown;
}

const meta = { name: 'x', namespace: 'ns', uid: 'u-1', resourceVersion: '7' };

const cases: readonly Case[] = [
  { name: 'not an object', input: 'Pod', expected: undefined },
  { name: 'null', input: null, expected: undefined },
  { name: 'no metadata', input: { kind: 'Pod', spec: {} }, expected: undefined },
  {
    name: 'metadata without a name',
    input: { kind: 'Pod', metadata: { namespace: 'ns' } },
    expected: undefined,
  },
  { name: 'an empty name', input: { kind: 'Pod', metadata: { name: '' } }, expected: undefined },
  {
    name: 'metadata noise goes, last-applied-configuration included',
    input: {
      kind: 'Namespace',
      metadata: {
        name: 'shop',
        uid: 'u-ns',
        generation: 2,
        deletionTimestamp: '2026-11-24T10:00:00Z',
        finalizers: ['kubernetes'],
        generateName: 'sh',
        selfLink: '/api/v1/namespaces/shop',
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted', bad: 7 },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}', owner: 'team-a' },
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Apply',
            time: 't',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:x': {} },
          },
          'junk',
        ],
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'y', uid: 'z', blockOwnerDeletion: true }, 3],
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    },
    expected: {
      kind: 'Namespace',
      metadata: {
        name: 'shop',
        uid: 'u-ns',
        generation: 2,
        deletionTimestamp: '2026-11-24T10:00:00Z',
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
        annotations: { owner: 'team-a' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'y', uid: 'z' }],
        managedFields: [{ manager: 'kubectl', operation: 'Apply', time: 't' }],
      },
    },
  },
  {
    name: 'ServiceAccount keeps secrets, pull secrets and automount',
    input: {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      secrets: [{ name: 'x-token-abc' }],
      imagePullSecrets: [{ name: 'regcred' }],
      automountServiceAccountToken: false,
    },
    expected: {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      secrets: [{ name: 'x-token-abc' }],
      imagePullSecrets: [{ name: 'regcred' }],
      automountServiceAccountToken: false,
    },
  },
  {
    name: 'ClusterRole keeps rules and aggregationRule',
    input: {
      kind: 'ClusterRole',
      metadata: { name: 'view' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example/view': 'true' } }] },
    },
    expected: {
      kind: 'ClusterRole',
      metadata: { name: 'view' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example/view': 'true' } }] },
    },
  },
  {
    name: 'RoleBinding keeps roleRef and subjects',
    input: {
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'ns' }],
    },
    expected: {
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'ns' }],
    },
  },
  {
    name: 'NetworkPolicy keeps its whole spec',
    input: {
      kind: 'NetworkPolicy',
      metadata: meta,
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
      },
      status: {},
    },
    expected: {
      kind: 'NetworkPolicy',
      metadata: meta,
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
      },
    },
  },
  {
    name: 'SecurityPolicy (no dedicated trimmer) keeps every top-level field',
    input: {
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'prod', generation: 3, managedFields: [{ manager: 'kubectl', fieldsV1: {} }] },
      spec: { profiles: ['rbac'] },
      status: { observedGeneration: 2 },
    },
    expected: {
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'prod', generation: 3, managedFields: [{ manager: 'kubectl' }] },
      spec: { profiles: ['rbac'] },
      status: { observedGeneration: 2 },
    },
  },
  {
    name: 'pod volumes keep type and source fields, lose items and ephemeral claim templates',
    input: {
      kind: 'Pod',
      metadata: meta,
      spec: {
        volumes: [
          { name: 'root', hostPath: { path: '/', type: 'Directory' } },
          { name: 'creds', secret: { secretName: 'db', items: [{ key: 'a', path: 'b' }], defaultMode: 256 } },
          {
            name: 'scratch',
            ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } },
          },
          { name: 'nfs', nfs: { server: 'nfs.local', path: '/exports' } },
          'not-a-volume',
        ],
      },
    },
    expected: {
      kind: 'Pod',
      metadata: meta,
      spec: {
        volumes: [
          { name: 'root', hostPath: { path: '/', type: 'Directory' } },
          { name: 'creds', secret: { secretName: 'db', defaultMode: 256 } },
          { name: 'scratch', ephemeral: {} },
          { name: 'nfs', nfs: { server: 'nfs.local', path: '/exports' } },
          'not-a-volume',
        ],
      },
    },
  },
  {
    name: 'pod host settings, command lines, probe and hook hosts stay',
    input: {
      kind: 'Pod',
      metadata: { name: 'kube-apiserver-cp', namespace: 'kube-system' },
      spec: {
        hostNetwork: true,
        hostPID: false,
        hostIPC: false,
        hostUsers: false,
        os: { name: 'linux' },
        nodeName: 'cp',
        tolerations: [{ operator: 'Exists' }],
        affinity: { nodeAffinity: {} },
        containers: [
          {
            name: 'kube-apiserver',
            image: 'registry.k8s.io/kube-apiserver:v1.36.3',
            command: ['kube-apiserver', '--anonymous-auth=false'],
            livenessProbe: { httpGet: { host: '127.0.0.1', path: '/livez', port: 6443 }, periodSeconds: 10 },
            lifecycle: {
              preStop: { tcpSocket: { host: '10.0.0.1', port: 1 } },
              postStart: { exec: { command: ['x'] } },
            },
            stdin: true,
            terminationMessagePath: '/dev/termination-log',
          },
        ],
      },
      status: { phase: 'Running', podIP: '10.0.0.5' },
    },
    expected: {
      kind: 'Pod',
      metadata: { name: 'kube-apiserver-cp', namespace: 'kube-system' },
      spec: {
        hostNetwork: true,
        hostPID: false,
        hostIPC: false,
        hostUsers: false,
        os: { name: 'linux' },
        containers: [
          {
            name: 'kube-apiserver',
            image: 'registry.k8s.io/kube-apiserver:v1.36.3',
            command: ['kube-apiserver', '--anonymous-auth=false'],
            livenessProbe: { httpGet: { host: '127.0.0.1' } },
            lifecycle: { postStart: { exec: {} }, preStop: { tcpSocket: { host: '10.0.0.1' } } },
          },
        ],
      },
      status: { phase: 'Running' },
    },
  },
  {
    name: 'malformed containers and env entries are kept as they are, for checks to report',
    input: {
      kind: 'Pod',
      metadata: meta,
      spec: {
        containers: [
          'oops',
          { name: 'a', env: 'FOO=bar' },
          { name: 'b', env: [7, { name: 'N', value: 42 }] },
        ],
        initContainers: { not: 'a list' },
        securityContext: 'privileged',
      },
      status: 'weird',
    },
    expected: {
      kind: 'Pod',
      metadata: meta,
      spec: {
        securityContext: 'privileged',
        containers: [
          'oops',
          { name: 'a', env: 'FOO=bar' },
          { name: 'b', env: [7, { name: 'N', value: REDACTED_ENV_VALUE }] },
        ],
        initContainers: { not: 'a list' },
      },
    },
  },
  {
    name: 'a __proto__ key in data is dropped, not turned into a prototype',
    input: JSON.parse(
      '{"kind":"SecurityPolicy","metadata":{"name":"p"},"spec":{"__proto__":{"polluted":true},"ok":1}}',
    ),
    expected: { kind: 'SecurityPolicy', metadata: { name: 'p' }, spec: { ok: 1 } },
  },
];

describe('trimObject', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = trimObject(c.input);
      assert.deepEqual(result, c.expected);
      if (result !== undefined) assert.equal(Object.getPrototypeOf(result['spec'] ?? {}), Object.prototype);
    });
  }
});

describe('trim keeps env values that cannot be credentials', () => {
  it('keeps empty values, $(VAR) references and flag words; redacts the rest', () => {
    const pod = trimObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'x' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'i',
            env: [
              { name: 'EMPTY', value: '' },
              { name: 'DB_PASSWORD', value: '$(FROM_SECRET)' },
              { name: 'TLS_ENABLED', value: 'true' },
              { name: 'API_TOKEN', value: 's3cr3t-value' },
            ],
          },
        ],
      },
    }) as { spec: { containers: { env: { name: string; value?: string }[] }[] } };
    assert.deepEqual(
      pod.spec.containers[0]?.env.map((e) => [e.name, e.value]),
      [
        ['EMPTY', ''],
        ['DB_PASSWORD', '$(FROM_SECRET)'],
        ['TLS_ENABLED', 'true'],
        ['API_TOKEN', REDACTED_ENV_VALUE],
      ],
    );
    assert.ok(!JSON.stringify(pod).includes('s3cr3t'));
  });
});

describe('withFieldsInObject', () => {
  const seven = {
    checkId: 'a',
    severity: 'high',
    message: 'm',
    firstSeen: 't',
    lastChanged: 't',
    changedBy: {},
    resource: {},
  };

  it('copies an object of more than four fields: equal, keys in the same order, a plain object', () => {
    const copy = withFieldsInObject(seven);
    assert.notEqual(copy, seven);
    assert.deepEqual(copy, seven);
    assert.deepEqual(Object.keys(copy), Object.keys(seven));
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  });

  it('keeps no value of an earlier object with the same keys', () => {
    const first = withFieldsInObject({ ...seven, message: 'first' });
    const second = withFieldsInObject({ ...seven, message: 'second' });
    assert.equal(first['message'], 'first');
    assert.equal(second['message'], 'second');
  });

  it('tells key lists apart that join to the same text', () => {
    const a = withFieldsInObject({ 'a\u0000': 1, b: 2, c: 3, d: 4, e: 5 });
    const b = withFieldsInObject({ a: 1, '\u0000b': 2, c: 3, d: 4, e: 5 });
    assert.deepEqual(Object.keys(a), ['a\u0000', 'b', 'c', 'd', 'e']);
    assert.deepEqual(Object.keys(b), ['a', '\u0000b', 'c', 'd', 'e']);
  });

  it('keeps integer-like keys and their order', () => {
    const object = { b: 1, 2: 'two', a: 3, 1: 'one', c: 4, d: 5 };
    assert.deepEqual(Object.keys(withFieldsInObject(object)), Object.keys(object));
    assert.deepEqual(withFieldsInObject(object), object);
  });

  it('returns small objects, and objects with an own __proto__ field, as they are', () => {
    const small = { a: 1, b: 2, c: 3, d: 4 };
    assert.equal(withFieldsInObject(small), small);
    const odd = JSON.parse('{"__proto__": {"x": 1}, "a": 1, "b": 2, "c": 3, "d": 4}') as Record<
      string,
      unknown
    >;
    assert.equal(withFieldsInObject(odd), odd);
  });
});

/** The parts of the running pod fixture the cases below edit. */
interface PodJson {
  metadata: {
    resourceVersion: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields: Record<string, unknown>[];
  };
  spec: { containers: Record<string, unknown>[] };
  status: {
    phase: string;
    conditions: Record<string, unknown>[];
    containerStatuses: Record<string, unknown>[];
  };
}

describe('sameForEvaluation', () => {
  const trimmed = (edit: (pod: PodJson) => void): KubeObject => {
    const pod = fixture('pod-running.json') as unknown as PodJson;
    edit(pod);
    const out = trimObject(pod);
    assert.ok(out);
    return out;
  };
  const before = trimmed(() => undefined);

  it("holds for a kubelet status report: new resourceVersion, conditions, container states and kubelet's managedFields time", () => {
    const after = trimmed((pod) => {
      pod.metadata.resourceVersion = '184999';
      pod.metadata.managedFields[1]!['time'] = '2026-11-20T10:00:00Z';
      pod.status.conditions[0]!['lastTransitionTime'] = '2026-11-20T10:00:00Z';
      pod.status.containerStatuses[0]!['restartCount'] = 3;
      pod.status.containerStatuses[0]!['ready'] = false;
    });
    assert.notEqual(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.equal(sameForEvaluation(before, after), true);
  });

  const changes: [string, (pod: PodJson) => void][] = [
    ['an annotation', (pod) => (pod.metadata.annotations = { ...pod.metadata.annotations, tick: '1' })],
    ['a label', (pod) => (pod.metadata.labels = { ...pod.metadata.labels, tier: 'edge' })],
    ['an image', (pod) => (pod.spec.containers[0]!['image'] = 'nginx:latest')],
    ['a securityContext field', (pod) => (pod.spec.containers[0]!['securityContext'] = { privileged: true })],
    ['the phase', (pod) => (pod.status.phase = 'Succeeded')],
    [
      'a change by a person',
      (pod) =>
        pod.metadata.managedFields.push({
          manager: 'kubectl-edit',
          operation: 'Update',
          time: '2026-11-20T11:00:00Z',
        }),
    ],
  ];
  for (const [what, edit] of changes) {
    it(`fails for ${what}`, () => {
      const after = trimmed((pod) => {
        pod.metadata.resourceVersion = '185000';
        edit(pod);
      });
      assert.equal(sameForEvaluation(before, after), false);
      assert.equal(sameForEvaluation(after, before), false);
    });
  }
});
