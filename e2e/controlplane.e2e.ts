// What Bulwark installs into a cluster, checked against a real API server:
// the CRDs (schemas reject malformed objects naming the field, kubectl shows
// and explains them) and deploy/ (it applies under the restricted Pod Security
// level, and the operator's RBAC allows exactly what SPEC §7 says, asked of
// the API server's own authorizer with SubjectAccessReview).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  ApiException,
  ApiextensionsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import type { V1SubjectAccessReview } from '@kubernetes/client-node';
import { load as loadYaml, loadAll as loadAllYaml } from 'js-yaml';

import type { LocalCluster } from '../src/localcluster/index.js';
import { getTestCluster, repoRoot } from './harness/cluster.js';
import { bulwarkCrdNames, crdsDir, deployDir, installCrds } from './harness/crds.js';
import { withNamespace } from './harness/namespace.js';

const group = 'bulwark.dev';
const version = 'v1alpha1';
const operatorNamespace = 'bulwark-system';
const operatorUser = `system:serviceaccount:${operatorNamespace}:bulwark`;
// The groups a real token of that ServiceAccount carries, so the review also
// counts what the default bindings give every ServiceAccount.
const operatorGroups = [
  'system:serviceaccounts',
  `system:serviceaccounts:${operatorNamespace}`,
  'system:authenticated',
];

type JsonObject = Record<string, unknown>;

function suffix(): string {
  return randomBytes(3).toString('hex');
}

function asObject(value: unknown): JsonObject {
  assert.ok(value !== null && typeof value === 'object', `expected an object, got ${JSON.stringify(value)}`);
  return value as JsonObject;
}

/** The SPEC §2 example policy: every field of the spec, valid. */
function examplePolicy(name: string): JsonObject {
  return {
    apiVersion: `${group}/${version}`,
    kind: 'SecurityPolicy',
    metadata: { name },
    spec: {
      profiles: ['pss-restricted', 'rbac', 'service-accounts', 'network', 'namespaces', 'workloads'],
      podSecurity: { version: 'v1.30' },
      checks: [
        { id: 'workload.allowed-registries', params: { registries: ['registry.example.com/'] } },
        { id: 'rbac.secrets-read', severity: 'critical' },
        { id: 'workload.read-only-root-fs', enabled: false },
      ],
      rules: [
        {
          id: 'acme.team-label',
          title: 'Pods carry a team label',
          kinds: ['Pod'],
          expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
          message: 'every pod carries a team label',
          severity: 'low',
          remediation: 'Add metadata.labels.team.',
        },
      ],
      namespaceSelector: {
        matchLabels: { env: 'prod' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }],
      },
      excludeNamespaces: ['kube-system', 'kube-*'],
      exceptions: [
        {
          checks: ['pss.host-namespaces'],
          match: { kinds: ['Pod'], namespaces: ['monitoring'], names: ['node-exporter-*'] },
          reason: 'node-exporter reads host network statistics',
          owner: 'platform-team',
          ticket: 'SEC-1234',
          expires: '2027-03-01T00:00:00Z',
        },
      ],
      baseline: { acceptedAt: '2026-11-01T00:00:00Z' },
    },
  };
}

function exampleCheck(): JsonObject {
  return {
    id: 'pss.run-as-non-root',
    title: 'Containers must run as non-root',
    category: 'Pod Security',
    frameworks: [
      { framework: 'PSS', control: 'restricted/runAsNonRoot' },
      { framework: 'CIS Kubernetes Benchmark', control: '5.2.6' },
    ],
    remediation: 'Set runAsNonRoot: true in the pod or container securityContext.',
  };
}

/** A resource with one finding, as a report lists it. */
function exampleResource(namespace: string, finding: JsonObject = exampleFinding()): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace,
    name: 'web',
    uid: '3b8e2f0c-0000-4000-8000-000000000001',
    findings: [finding],
  };
}

function exampleFinding(): JsonObject {
  return {
    checkId: 'pss.run-as-non-root',
    severity: 'high',
    status: 'Fail',
    count: 3,
    message: 'container "app" must set securityContext.runAsNonRoot=true',
    firstSeen: '2026-11-20T10:00:00Z',
    lastChanged: '2026-11-21T10:00:00Z',
    changedBy: { manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-11-20T09:59:58Z' },
    waiver: {
      reason: 'legacy image, tracked',
      owner: 'web-team',
      ticket: 'SEC-99',
      expires: '2026-12-31T00:00:00Z',
      expired: false,
    },
  };
}

function summary(critical: number, high: number, medium: number, low: number): JsonObject {
  return { critical, high, medium, low, waived: 1, total: critical + high + medium + low + 1 };
}

/** The message of an API error (the Status object's message, or the raw body). */
function apiErrorMessage(error: unknown): string {
  if (!(error instanceof ApiException)) throw error;
  const body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown };
      if (typeof status.message === 'string') return status.message;
    } catch {
      // Not JSON: use it as it is.
    }
    return body;
  }
  return JSON.stringify(body);
}

describe('control plane e2e', function () {
  this.timeout(120_000);
  let kc: KubeConfig;
  let custom: CustomObjectsApi;

  before(function () {
    kc = getTestCluster().kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  describe('CRDs', function () {
    it('install with server-side apply and become Established with their names accepted', async function () {
      const cluster = getTestCluster();
      await cluster.kubectl([
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=bulwark-e2e',
        '-k',
        crdsDir,
      ]);
      const ext = kc.makeApiClient(ApiextensionsV1Api);
      const deadline = Date.now() + 60_000;
      for (const name of bulwarkCrdNames) {
        for (;;) {
          const crd = await ext.readCustomResourceDefinition({ name });
          const conditions = crd.status?.conditions ?? [];
          const isTrue = (type: string): boolean =>
            conditions.some((c) => c.type === type && c.status === 'True');
          if (isTrue('Established') && isTrue('NamesAccepted')) break;
          assert.ok(Date.now() < deadline, `${name} not Established: ${JSON.stringify(conditions)}`);
          await sleep(100);
        }
      }
      await installCrds(cluster);
    });

    it('keep the finding and check schemas of SecurityReport and ClusterSecurityReport identical', async function () {
      const propertySchema = async (file: string, property: string): Promise<unknown> => {
        const crd = asObject(loadYaml(await readFile(join(crdsDir, file), 'utf8')));
        const spec = asObject(crd['spec']);
        const versions = spec['versions'] as JsonObject[];
        const schema = asObject(asObject(asObject(versions[0])['schema'])['openAPIV3Schema']);
        return asObject(schema['properties'])[property];
      };
      for (const property of ['resources', 'checks']) {
        const namespaced = await propertySchema('bulwark.dev_securityreports.yaml', property);
        assert.ok(namespaced, property);
        assert.deepEqual(
          await propertySchema('bulwark.dev_clustersecurityreports.yaml', property),
          namespaced,
        );
      }
    });

    describe('SecurityPolicy validation', function () {
      before(async function () {
        await installCrds();
      });

      async function createPolicy(body: JsonObject, dryRun = true): Promise<JsonObject> {
        const created: unknown = await custom.createClusterCustomObject({
          group,
          version,
          plural: 'securitypolicies',
          body,
          fieldValidation: 'Strict',
          ...(dryRun ? { dryRun: 'All' } : {}),
        });
        return asObject(created);
      }

      it('accepts the SPEC example policy and defaults a rule severity to medium', async function () {
        const policy = examplePolicy(`valid-${suffix()}`);
        const spec = asObject(policy['spec']);
        const rules = spec['rules'] as JsonObject[];
        delete rules[0]?.['severity'];
        const created = await createPolicy(policy);
        const createdRules = asObject(created['spec'])['rules'] as JsonObject[];
        assert.equal(createdRules[0]?.['severity'], 'medium');
      });

      interface RejectionCase {
        readonly name: string;
        readonly mutate: (spec: JsonObject) => void;
        /** Substrings the API server's message must contain: the field path and the reason. */
        readonly expect: readonly string[];
      }

      const cases: readonly RejectionCase[] = [
        {
          name: 'an unknown severity in a check override',
          mutate: (spec) => {
            (spec['checks'] as JsonObject[])[1]!['severity'] = 'urgent';
          },
          expect: ['spec.checks[1].severity', 'Unsupported value: "urgent"'],
        },
        {
          name: 'an exception without a reason',
          mutate: (spec) => {
            delete (spec['exceptions'] as JsonObject[])[0]!['reason'];
          },
          expect: ['spec.exceptions[0].reason', 'Required value'],
        },
        {
          name: 'an exception with an empty reason',
          mutate: (spec) => {
            (spec['exceptions'] as JsonObject[])[0]!['reason'] = '';
          },
          expect: ['spec.exceptions[0].reason', 'at least 1 chars long'],
        },
        {
          name: 'an exception whose expiry is not a date-time',
          mutate: (spec) => {
            (spec['exceptions'] as JsonObject[])[0]!['expires'] = 'next tuesday';
          },
          expect: ['spec.exceptions[0].expires', 'date-time'],
        },
        {
          name: 'an exception that names no check',
          mutate: (spec) => {
            (spec['exceptions'] as JsonObject[])[0]!['checks'] = [];
          },
          expect: ['spec.exceptions[0].checks', 'at least 1 items'],
        },
        {
          name: 'an unknown profile',
          mutate: (spec) => {
            spec['profiles'] = ['pss-restricted', 'pss-strict'];
          },
          expect: ['spec.profiles[1]', 'Unsupported value: "pss-strict"'],
        },
        {
          name: 'a Pod Security version that does not exist',
          mutate: (spec) => {
            spec['podSecurity'] = { version: 'v2.0' };
          },
          expect: ['spec.podSecurity.version', 'should match'],
        },
        {
          name: 'two overrides of the same check',
          mutate: (spec) => {
            (spec['checks'] as JsonObject[]).push({ id: 'rbac.secrets-read', enabled: false });
          },
          expect: ['spec.checks[3]', 'Duplicate value'],
        },
        {
          name: 'a check ID that is not an ID',
          mutate: (spec) => {
            (spec['checks'] as JsonObject[])[0]!['id'] = 'Allowed Registries';
          },
          expect: ['spec.checks[0].id', 'should match'],
        },
        {
          name: 'a custom rule with no kinds',
          mutate: (spec) => {
            (spec['rules'] as JsonObject[])[0]!['kinds'] = [];
          },
          expect: ['spec.rules[0].kinds', 'at least 1 items'],
        },
        {
          name: 'a custom rule with an empty expression',
          mutate: (spec) => {
            (spec['rules'] as JsonObject[])[0]!['expression'] = '';
          },
          expect: ['spec.rules[0].expression', 'at least 1 chars long'],
        },
        {
          name: 'a custom rule without an expression',
          mutate: (spec) => {
            delete (spec['rules'] as JsonObject[])[0]!['expression'];
          },
          expect: ['spec.rules[0].expression', 'Required value'],
        },
        {
          name: 'a custom rule that takes a built-in family prefix',
          mutate: (spec) => {
            (spec['rules'] as JsonObject[])[0]!['id'] = 'pss.my-rule';
          },
          expect: ['spec.rules[0].id', 'must not use a built-in check family prefix'],
        },
        {
          name: 'a namespace selector expression In without values',
          mutate: (spec) => {
            spec['namespaceSelector'] = { matchExpressions: [{ key: 'tier', operator: 'In' }] };
          },
          expect: ['spec.namespaceSelector.matchExpressions[0]', 'values must be non-empty'],
        },
        {
          name: 'a namespace selector with an unknown operator',
          mutate: (spec) => {
            spec['namespaceSelector'] = {
              matchExpressions: [{ key: 'tier', operator: 'Matches', values: ['a'] }],
            };
          },
          expect: ['spec.namespaceSelector.matchExpressions[0].operator', 'Unsupported value: "Matches"'],
        },
        {
          name: 'a misspelt field (strict field validation)',
          mutate: (spec) => {
            spec['profile'] = ['rbac'];
          },
          expect: ['unknown field "spec.profile"'],
        },
      ];

      for (const c of cases) {
        it(`rejects ${c.name}, naming the field`, async function () {
          const policy = examplePolicy(`invalid-${suffix()}`);
          c.mutate(asObject(policy['spec']));
          let message: string | undefined;
          try {
            await createPolicy(policy);
          } catch (error) {
            message = apiErrorMessage(error);
          }
          assert.ok(message !== undefined, 'the API server accepted the malformed policy');
          for (const part of c.expect) {
            assert.ok(message.includes(part), `expected ${JSON.stringify(part)} in: ${message}`);
          }
        });
      }

      it('rejects the malformed policy through kubectl too, with the field in the error', async function () {
        const policy = examplePolicy(`invalid-${suffix()}`);
        (asObject(policy['spec'])['checks'] as JsonObject[])[0]!['severity'] = 'urgent';
        const result = await getTestCluster().kubectl(['create', '--dry-run=server', '-f', '-'], {
          input: JSON.stringify(policy),
          check: false,
        });
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /spec\.checks\[0\]\.severity: Unsupported value: "urgent"/);
      });
    });

    describe('status, printing and discovery', function () {
      const ns = withNamespace({ prefix: 'crd', scope: 'all' });
      const policyName = `printed-${suffix()}`;

      before(async function () {
        await installCrds();
        const policy = examplePolicy(policyName);
        // Status sent with the object is dropped: only the /status subresource writes it.
        policy['status'] = { score: 5 };
        await custom.createClusterCustomObject({ group, version, plural: 'securitypolicies', body: policy });
        await custom.createNamespacedCustomObject({
          group,
          version,
          namespace: ns.name,
          plural: 'securityreports',
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'SecurityReport',
            metadata: { name: policyName },
            policy: policyName,
            scope: ns.name,
            score: 87,
            summary: summary(1, 2, 3, 4),
            checks: [exampleCheck()],
            resources: [exampleResource(ns.name)],
          },
          // Strict: a field the schema does not declare fails instead of being pruned.
          fieldValidation: 'Strict',
        });
        await custom.createClusterCustomObject({
          group,
          version,
          plural: 'clustersecurityreports',
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'ClusterSecurityReport',
            metadata: { name: policyName },
            policy: policyName,
            scope: 'cluster',
            score: 64,
            summary: summary(5, 6, 7, 8),
            checks: [exampleCheck()],
            resources: [
              {
                apiVersion: 'rbac.authorization.k8s.io/v1',
                kind: 'ClusterRoleBinding',
                name: 'too-much',
                findings: [exampleFinding()],
              },
            ],
            omitted: { count: 12, reason: 'report size limit reached' },
            namespaces: [{ name: ns.name, score: 87, critical: 1, high: 2, medium: 3, low: 4 }],
          },
          fieldValidation: 'Strict',
        });
      });

      after(async function () {
        for (const plural of ['securitypolicies', 'clustersecurityreports']) {
          await custom
            .deleteClusterCustomObject({ group, version, plural, name: policyName })
            .catch(() => undefined);
        }
      });

      it('drops status sent with a SecurityPolicy and writes it only through /status', async function () {
        const read = asObject(
          await custom.getClusterCustomObject({
            group,
            version,
            plural: 'securitypolicies',
            name: policyName,
          }),
        );
        assert.equal(read['status'], undefined);
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        read['status'] = {
          observedGeneration: 1,
          conditions: [
            {
              type: 'Valid',
              status: 'True',
              reason: 'SpecValid',
              message: 'spec is valid',
              lastTransitionTime: now,
              observedGeneration: 1,
            },
            {
              type: 'Ready',
              status: 'True',
              reason: 'Evaluated',
              message: '3 namespaces evaluated',
              lastTransitionTime: now,
              observedGeneration: 1,
            },
          ],
          summary: { critical: 2, high: 11, medium: 40, low: 7, waived: 1, namespaces: 38 },
          lastEvaluationTime: now,
          score: 71,
        };
        const updated = asObject(
          await custom.replaceClusterCustomObjectStatus({
            group,
            version,
            plural: 'securitypolicies',
            name: policyName,
            body: read,
          }),
        );
        assert.equal(asObject(updated['status'])['score'], 71);
      });

      it('rejects a SecurityPolicy status with a score above 100', async function () {
        const read = asObject(
          await custom.getClusterCustomObject({
            group,
            version,
            plural: 'securitypolicies',
            name: policyName,
          }),
        );
        read['status'] = { ...asObject(read['status'] ?? {}), score: 101 };
        let message = '';
        try {
          await custom.replaceClusterCustomObjectStatus({
            group,
            version,
            plural: 'securitypolicies',
            name: policyName,
            body: read,
            dryRun: 'All',
          });
        } catch (error) {
          message = apiErrorMessage(error);
        }
        assert.match(message, /status\.score: Invalid value: 101/);
      });

      it('rejects a finding without a check ID', async function () {
        let message = '';
        try {
          const finding = exampleFinding();
          delete finding['checkId'];
          await custom.createNamespacedCustomObject({
            group,
            version,
            namespace: ns.name,
            plural: 'securityreports',
            dryRun: 'All',
            body: {
              apiVersion: `${group}/${version}`,
              kind: 'SecurityReport',
              metadata: { name: 'missing-check-id' },
              policy: 'p',
              scope: ns.name,
              resources: [exampleResource(ns.name, finding)],
            },
          });
        } catch (error) {
          message = apiErrorMessage(error);
        }
        assert.match(message, /resources\[0\]\.findings\[0\]\.checkId: Required value/);
      });

      it('`kubectl get bulwark -A` lists policies, reports and cluster reports', async function () {
        const { stdout } = await getTestCluster().kubectl(['get', 'bulwark', '-A']);
        assert.match(stdout, new RegExp(`securitypolicy\\.bulwark\\.dev/${policyName}`));
        assert.match(stdout, new RegExp(`${ns.name}\\s+securityreport\\.bulwark\\.dev/${policyName}`));
        assert.match(stdout, new RegExp(`clustersecurityreport\\.bulwark\\.dev/${policyName}`));
      });

      it('prints Policy, Score and severity counts for SecurityReports', async function () {
        const { stdout } = await getTestCluster().kubectl(['get', 'securityreports', '-n', ns.name]);
        const [header, row] = stdout.trim().split('\n');
        assert.match(header ?? '', /^NAME\s+POLICY\s+SCORE\s+CRITICAL\s+HIGH\s+MEDIUM\s+LOW\s+AGE$/);
        assert.match(
          row ?? '',
          new RegExp(`^${policyName}\\s+${policyName}\\s+87\\s+1\\s+2\\s+3\\s+4\\s+\\S+$`),
        );
      });

      it('prints Policy, Score and severity counts for ClusterSecurityReports', async function () {
        const { stdout } = await getTestCluster().kubectl(['get', 'clustersecurityreport', policyName]);
        const [header, row] = stdout.trim().split('\n');
        assert.match(header ?? '', /^NAME\s+POLICY\s+SCORE\s+CRITICAL\s+HIGH\s+MEDIUM\s+LOW\s+AGE$/);
        assert.match(
          row ?? '',
          new RegExp(`^${policyName}\\s+${policyName}\\s+64\\s+5\\s+6\\s+7\\s+8\\s+\\S+$`),
        );
      });

      it('prints Valid, Ready, Critical, High and Score for SecurityPolicies', async function () {
        const { stdout } = await getTestCluster().kubectl(['get', 'securitypolicy', policyName]);
        const [header, row] = stdout.trim().split('\n');
        assert.match(header ?? '', /^NAME\s+VALID\s+READY\s+CRITICAL\s+HIGH\s+SCORE\s+AGE$/);
        assert.match(row ?? '', new RegExp(`^${policyName}\\s+True\\s+True\\s+2\\s+11\\s+71\\s+\\S+$`));
      });

      it('answers to the short names', async function () {
        const cluster = getTestCluster();
        for (const args of [
          ['get', 'secpol', policyName],
          ['get', 'spol', policyName],
          ['get', 'sr', '-n', ns.name, policyName],
          ['get', 'secreport', '-n', ns.name, policyName],
          ['get', 'csreport', policyName],
          ['get', 'csecreport', policyName],
        ]) {
          const { stdout } = await cluster.kubectl([...args, '-o', 'name']);
          assert.match(stdout, new RegExp(`/${policyName}$`, 'm'), `kubectl ${args.join(' ')}`);
        }
      });

      it('`kubectl explain securitypolicy.spec` describes every field', async function () {
        const { stdout } = await getTestCluster().kubectl(['explain', 'securitypolicy.spec']);
        assert.match(stdout, /GROUP:\s+bulwark\.dev/);
        for (const field of [
          'profiles',
          'podSecurity',
          'checks',
          'rules',
          'namespaceSelector',
          'excludeNamespaces',
          'exceptions',
          'baseline',
        ]) {
          assert.match(stdout, new RegExp(`^\\s+${field}\\s+<`, 'm'), `field ${field} in:\n${stdout}`);
        }
        assert.match(stdout, /What the policy checks, where, and which findings are accepted/);
        const expires = await getTestCluster().kubectl(['explain', 'securitypolicy.spec.exceptions.expires']);
        assert.match(expires.stdout, /Expired exceptions are reported as such/);
        const findings = await getTestCluster().kubectl([
          'explain',
          'securityreport.resources.findings.waiver',
        ]);
        assert.match(findings.stdout, /expired\s+<boolean>/);
      });
    });
  });

  describe('deploy/', function () {
    let applyStderr = '';

    before(async function () {
      await installCrds();
      const result = await getTestCluster().kubectl([
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=bulwark-e2e',
        '-k',
        deployDir,
      ]);
      applyStderr = result.stderr;
    });

    after(async function () {
      // The CRDs stay (other suites use them); everything else goes, and is
      // waited for: a later suite applying deploy/ into a still-terminating
      // namespace would be refused.
      await getTestCluster().kubectl(
        [
          'delete',
          '--ignore-not-found',
          '--wait=true',
          '--timeout=90s',
          'namespace/bulwark-system',
          'clusterrole/bulwark',
          'clusterrolebinding/bulwark',
        ],
        { check: false },
      );
    });

    it('renders with kubectl kustomize into exactly the expected objects', async function () {
      const { stdout } = await getTestCluster().kubectl(['kustomize', deployDir]);
      const docs = loadAllYaml(stdout).map(asObject);
      const ids = docs
        .map((d) => {
          const metadata = asObject(d['metadata']);
          const namespace = typeof metadata['namespace'] === 'string' ? `${metadata['namespace']}/` : '';
          return `${String(d['kind'])} ${namespace}${String(metadata['name'])}`;
        })
        .sort();
      assert.deepEqual(ids, [
        'ClusterRole bulwark',
        'ClusterRoleBinding bulwark',
        'CustomResourceDefinition clustersecurityreports.bulwark.dev',
        'CustomResourceDefinition securitypolicies.bulwark.dev',
        'CustomResourceDefinition securityreports.bulwark.dev',
        'Deployment bulwark-system/bulwark',
        'Namespace bulwark-system',
        'NetworkPolicy bulwark-system/bulwark',
        'PodDisruptionBudget bulwark-system/bulwark',
        'Role bulwark-system/bulwark-leader-election',
        'RoleBinding bulwark-system/bulwark-leader-election',
        'Service bulwark-system/bulwark-metrics',
        'ServiceAccount bulwark-system/bulwark',
      ]);
    });

    it('applies server-side with no Pod Security warning', function () {
      assert.doesNotMatch(applyStderr, /PodSecurity|would violate/i);
    });

    it('labels its namespace to enforce, warn and audit the restricted level', async function () {
      const namespace = await kc.makeApiClient(CoreV1Api).readNamespace({ name: operatorNamespace });
      const labels = namespace.metadata?.labels ?? {};
      for (const mode of ['enforce', 'warn', 'audit']) {
        assert.equal(labels[`pod-security.kubernetes.io/${mode}`], 'restricted');
        assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], 'latest');
      }
    });

    it('has its two controller pods admitted under restricted enforcement', async function () {
      // No kubelet runs, so the pods stay Pending; their creation proves that
      // Pod Security admission (enforce=restricted) accepted the template.
      const core = kc.makeApiClient(CoreV1Api);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const pods = await core.listNamespacedPod({
          namespace: operatorNamespace,
          labelSelector: 'app.kubernetes.io/name=bulwark,app.kubernetes.io/component=controller',
        });
        if (pods.items.length === 2) {
          for (const pod of pods.items) {
            assert.equal(pod.spec?.serviceAccountName, 'bulwark');
            assert.equal(pod.spec?.securityContext?.runAsUser, 65532);
          }
          break;
        }
        assert.ok(Date.now() < deadline, `expected 2 controller pods, have ${pods.items.length}`);
        await sleep(200);
      }
    });

    describe('operator RBAC, asked with SubjectAccessReview', function () {
      let authz: AuthorizationV1Api;

      before(function () {
        authz = kc.makeApiClient(AuthorizationV1Api);
      });

      interface AccessCase {
        readonly verb: string;
        readonly resource: string;
        readonly group?: string;
        readonly subresource?: string;
        /** Absent: cluster-wide (all namespaces). */
        readonly namespace?: string;
        readonly name?: string;
        readonly allowed: boolean;
      }

      const watchedKinds: readonly (readonly [string, string])[] = [
        ['', 'pods'],
        ['', 'namespaces'],
        ['', 'serviceaccounts'],
        ['', 'replicationcontrollers'],
        ['rbac.authorization.k8s.io', 'roles'],
        ['rbac.authorization.k8s.io', 'clusterroles'],
        ['rbac.authorization.k8s.io', 'rolebindings'],
        ['rbac.authorization.k8s.io', 'clusterrolebindings'],
        ['networking.k8s.io', 'networkpolicies'],
        ['apps', 'deployments'],
        ['apps', 'replicasets'],
        ['apps', 'statefulsets'],
        ['apps', 'daemonsets'],
        ['batch', 'jobs'],
        ['batch', 'cronjobs'],
        [group, 'securitypolicies'],
        [group, 'securityreports'],
        [group, 'clustersecurityreports'],
      ];

      const cases: AccessCase[] = [];
      for (const [g, resource] of watchedKinds) {
        for (const verb of ['get', 'list', 'watch']) {
          cases.push({ verb, group: g, resource, allowed: true });
        }
      }
      for (const resource of ['secrets', 'configmaps']) {
        for (const verb of ['get', 'list', 'watch']) {
          for (const namespace of [undefined, 'default', 'kube-system', operatorNamespace]) {
            cases.push({ verb, resource, allowed: false, ...(namespace === undefined ? {} : { namespace }) });
          }
        }
      }
      for (const resource of ['securityreports', 'clustersecurityreports']) {
        // Reports are created and replaced at a resourceVersion, never patched.
        for (const verb of ['create', 'update', 'delete']) {
          cases.push({ verb, group, resource, allowed: true });
        }
        for (const verb of ['patch', 'deletecollection'])
          cases.push({ verb, group, resource, allowed: false });
      }
      for (const verb of ['update', 'patch']) {
        cases.push({ verb, group, resource: 'securitypolicies', subresource: 'status', allowed: true });
      }
      for (const verb of ['create', 'update', 'patch', 'delete']) {
        cases.push({ verb, group, resource: 'securitypolicies', allowed: false });
      }
      for (const g of ['', 'events.k8s.io']) {
        for (const verb of ['create', 'patch']) {
          cases.push({ verb, group: g, resource: 'events', namespace: 'default', allowed: true });
        }
        cases.push({ verb: 'delete', group: g, resource: 'events', namespace: 'default', allowed: false });
      }
      const leases = { group: 'coordination.k8s.io', resource: 'leases' };
      cases.push(
        { ...leases, verb: 'create', namespace: operatorNamespace, allowed: true },
        { ...leases, verb: 'get', namespace: operatorNamespace, name: 'bulwark-leader', allowed: true },
        { ...leases, verb: 'update', namespace: operatorNamespace, name: 'bulwark-leader', allowed: true },
        { ...leases, verb: 'update', namespace: operatorNamespace, name: 'another-lease', allowed: false },
        { ...leases, verb: 'delete', namespace: operatorNamespace, name: 'bulwark-leader', allowed: false },
        { ...leases, verb: 'create', namespace: 'kube-system', allowed: false },
        { ...leases, verb: 'update', namespace: 'kube-system', name: 'bulwark-leader', allowed: false },
      );
      const forbiddenWrites: readonly (readonly [string, string, string?])[] = [
        ['', 'pods'],
        ['', 'pods', 'exec'],
        ['', 'pods', 'eviction'],
        ['', 'namespaces'],
        ['', 'serviceaccounts'],
        ['', 'serviceaccounts', 'token'],
        ['', 'secrets'],
        ['', 'configmaps'],
        ['apps', 'deployments'],
        ['batch', 'jobs'],
        ['rbac.authorization.k8s.io', 'roles'],
        ['rbac.authorization.k8s.io', 'rolebindings'],
        ['rbac.authorization.k8s.io', 'clusterroles'],
        ['rbac.authorization.k8s.io', 'clusterrolebindings'],
        ['networking.k8s.io', 'networkpolicies'],
        ['apiextensions.k8s.io', 'customresourcedefinitions'],
        ['admissionregistration.k8s.io', 'validatingwebhookconfigurations'],
      ];
      for (const [g, resource, subresource] of forbiddenWrites) {
        cases.push({
          verb: 'create',
          group: g,
          resource,
          allowed: false,
          ...(subresource ? { subresource } : {}),
        });
        if (subresource === undefined) {
          cases.push(
            { verb: 'update', group: g, resource, allowed: false },
            { verb: 'delete', group: g, resource, allowed: false },
          );
        }
      }
      cases.push(
        { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', allowed: false },
        { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', allowed: false },
        { verb: 'impersonate', resource: 'users', allowed: false },
        { verb: 'impersonate', resource: 'serviceaccounts', allowed: false },
        { verb: 'get', resource: 'nodes', allowed: false },
        { verb: 'get', resource: 'nodes', subresource: 'proxy', allowed: false },
        {
          verb: 'list',
          group: 'apiextensions.k8s.io',
          resource: 'customresourcedefinitions',
          allowed: false,
        },
      );

      for (const c of cases) {
        const where = c.namespace === undefined ? 'cluster-wide' : `in ${c.namespace}`;
        const what = `${c.group ? `${c.group}/` : ''}${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.name ? ` ${c.name}` : ''}`;
        it(`${c.allowed ? 'can' : 'cannot'} ${c.verb} ${what} ${where}`, async function () {
          const review: V1SubjectAccessReview = {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: operatorUser,
              groups: operatorGroups,
              resourceAttributes: {
                verb: c.verb,
                group: c.group ?? '',
                resource: c.resource,
                ...(c.subresource === undefined ? {} : { subresource: c.subresource }),
                ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
                ...(c.name === undefined ? {} : { name: c.name }),
              },
            },
          };
          const result = await authz.createSubjectAccessReview({ body: review });
          assert.equal(
            result.status?.allowed ?? false,
            c.allowed,
            `SubjectAccessReview: ${JSON.stringify(result.status)}`,
          );
        });
      }

      it('holds with a real token of the ServiceAccount: lists pods, is refused secrets, writes a report', async function () {
        const core = kc.makeApiClient(CoreV1Api);
        const token = await core.createNamespacedServiceAccountToken({
          name: 'bulwark',
          namespace: operatorNamespace,
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: { expirationSeconds: 600 },
          },
        });
        const cluster = kc.getCurrentCluster();
        assert.ok(cluster !== null && token.status?.token);
        const asOperator = new KubeConfig();
        asOperator.loadFromOptions({
          clusters: [cluster],
          users: [{ name: 'bulwark', token: token.status.token }],
          contexts: [{ name: 'bulwark', cluster: cluster.name, user: 'bulwark' }],
          currentContext: 'bulwark',
        });
        const operatorCore = asOperator.makeApiClient(CoreV1Api);
        await operatorCore.listPodForAllNamespaces({ limit: 1 });
        await assert.rejects(operatorCore.listSecretForAllNamespaces({ limit: 1 }), (error: unknown) => {
          return error instanceof ApiException && error.code === 403;
        });
        await assert.rejects(
          operatorCore.listNamespacedConfigMap({ namespace: 'default', limit: 1 }),
          (error: unknown) => {
            return error instanceof ApiException && error.code === 403;
          },
        );
        const operatorCustom = asOperator.makeApiClient(CustomObjectsApi);
        await operatorCustom.createNamespacedCustomObject({
          group,
          version,
          namespace: 'default',
          plural: 'securityreports',
          dryRun: 'All',
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'SecurityReport',
            metadata: { name: 'written-by-operator' },
            policy: 'p',
            scope: 'default',
            score: 100,
            summary: summary(0, 0, 0, 0),
            resources: [],
          },
        });
      });
    });
  });
});

describe('local control plane', function () {
  this.timeout(120_000);

  before(function () {
    // These tests drive src/localcluster itself; an external cluster has nothing to restart.
    if (getTestCluster().local === undefined) {
      console.log(
        '      skipped: these tests drive the local control plane (KUBECONFIG names an external cluster)',
      );
      this.skip();
    }
  });

  function local(): LocalCluster {
    const cluster = getTestCluster().local;
    assert.ok(cluster !== undefined);
    return cluster;
  }

  describe('identities', function () {
    const ns = withNamespace({ prefix: 'whoami', scope: 'all' });

    it('mints a client certificate for any user and groups', async function () {
      const cluster = getTestCluster();
      const kubeconfig = await cluster.kubeconfigFor('alice@example.com', ['team-a', 'oncall/primary']);
      const { stdout } = await cluster.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig });
      const status = asObject(asObject(asObject(JSON.parse(stdout))['status'])['userInfo']);
      assert.equal(status['username'], 'alice@example.com');
      assert.deepEqual([...(status['groups'] as string[])].sort(), [
        'oncall/primary',
        'system:authenticated',
        'team-a',
      ]);
      const denied = await cluster.kubectl(['get', 'pods', '-n', ns.name], { kubeconfig, check: false });
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /Forbidden|forbidden/);
    });

    it('writes a kubeconfig with a TokenRequest token for a ServiceAccount', async function () {
      const cluster = getTestCluster();
      const kubeconfig = await local().kubeconfigForServiceAccount(ns.name, 'default');
      const { stdout } = await cluster.kubectl(
        ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'],
        {
          kubeconfig,
        },
      );
      assert.equal(stdout, `system:serviceaccount:${ns.name}:default`);
    });
  });

  describe('controllers', function () {
    const ns = withNamespace({ prefix: 'controllers' });

    it('turn a Deployment into a ReplicaSet and Pending pods, and collect them when it goes', async function () {
      const cluster = getTestCluster();
      await cluster.kubectl([
        'create',
        'deployment',
        'web',
        '--image=registry.example.com/web:1.0',
        '--replicas=2',
        '-n',
        ns.name,
      ]);
      const core = adminKubeConfig().makeApiClient(CoreV1Api);
      await waitUntil(
        'two pods',
        async () => (await core.listNamespacedPod({ namespace: ns.name })).items.length === 2,
      );
      const pods = await core.listNamespacedPod({ namespace: ns.name });
      for (const pod of pods.items) {
        assert.equal(pod.status?.phase, 'Pending');
        assert.equal(pod.metadata?.ownerReferences?.[0]?.kind, 'ReplicaSet');
      }
      await cluster.kubectl(['delete', 'deployment', 'web', '-n', ns.name]);
      await waitUntil(
        'pods garbage-collected',
        async () => (await core.listNamespacedPod({ namespace: ns.name })).items.length === 0,
      );
    });

    it('aggregate ClusterRoles by label', async function () {
      const cluster = getTestCluster();
      const id = suffix();
      const manifest = [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: `e2e-aggregate-${id}` },
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { [`e2e.bulwark.dev/aggregate-${id}`]: 'true' } }],
          },
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: `e2e-part-${id}`, labels: { [`e2e.bulwark.dev/aggregate-${id}`]: 'true' } },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
        },
      ];
      await cluster.kubectl(['create', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifest }),
      });
      try {
        await waitUntil('aggregated rules', async () => {
          const { stdout } = await cluster.kubectl([
            'get',
            'clusterrole',
            `e2e-aggregate-${id}`,
            '-o',
            'jsonpath={.rules[*].verbs}',
          ]);
          return stdout.includes('get');
        });
      } finally {
        await cluster.kubectl(['delete', 'clusterrole', `e2e-aggregate-${id}`, `e2e-part-${id}`], {
          check: false,
        });
      }
    });
  });

  describe('restarts', function () {
    const ns = withNamespace({ prefix: 'restart', scope: 'all' });

    it('restarts the API server on the same address with its data intact', async function () {
      const started = Date.now();
      await local().restartApiServer();
      process.stderr.write(
        `[e2e] kube-apiserver restart took ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
      );
      await adminKubeConfig().makeApiClient(CoreV1Api).readNamespace({ name: ns.name });
    });

    it('restarts etcd, after which the API server serves the same data', async function () {
      const started = Date.now();
      await local().restartEtcd({ downtimeMs: 500 });
      process.stderr.write(`[e2e] etcd restart took ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
      await adminKubeConfig().makeApiClient(CoreV1Api).readNamespace({ name: ns.name });
    });

    it('restarts the controller-manager, whose controllers then run again', async function () {
      await local().restartControllerManager();
      const core = adminKubeConfig().makeApiClient(CoreV1Api);
      const name = `sa-${suffix()}`;
      await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name } } });
      // The root-CA publisher recreates kube-root-ca.crt when it is deleted.
      await core.deleteNamespacedConfigMap({ namespace: ns.name, name: 'kube-root-ca.crt' });
      await waitUntil('kube-root-ca.crt recreated', async () => {
        try {
          await core.readNamespacedConfigMap({ namespace: ns.name, name: 'kube-root-ca.crt' });
          return true;
        } catch (error) {
          if (error instanceof ApiException && error.code === 404) return false;
          throw error;
        }
      });
    });
  });

  describe('cleanup', function () {
    it('leaves no process, port or directory behind when its owner is killed with SIGKILL', async function () {
      const script = [
        `import { startLocalCluster } from ${JSON.stringify(join(repoRoot, 'src', 'localcluster', 'index.ts'))};`,
        `const c = await startLocalCluster({ binaries: ${JSON.stringify(local().binaries)} });`,
        `console.log(JSON.stringify({ dir: c.dir, server: c.server }));`,
        `setInterval(() => undefined, 1000);`,
      ].join('\n');
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
        });
        child.once('exit', (code) =>
          reject(new Error(`child exited ${code} before the cluster started: ${stderr}`)),
        );
      });
      const { dir, server } = JSON.parse(line) as { dir: string; server: string };
      const runDir = join(dir, 'run');
      const pids = await Promise.all(
        (await readdir(runDir)).map(async (f) => Number((await readFile(join(runDir, f), 'utf8')).trim())),
      );
      assert.equal(pids.length, 3, `pid files in ${runDir}`);
      for (const pid of pids) assert.ok(isAlive(pid), `component ${pid} should run`);

      try {
        child.kill('SIGKILL');
        await waitUntil('components gone', () => Promise.resolve(pids.every((pid) => !isAlive(pid))), 10_000);
        await waitUntil('directory removed', () => Promise.resolve(!existsSync(dir)), 10_000);
        // A killed multi-threaded process shows as a zombie while its other
        // threads still exit and hold its sockets, so the port frees a moment later.
        const port = Number(new URL(server).port);
        await waitUntil(`port ${port} free`, () => canListen(port), 10_000);
      } finally {
        // If the watchdog failed, do its job so the run leaves nothing behind.
        for (const pid of pids.filter(isAlive)) process.kill(-pid, 'SIGKILL');
      }
    });
  });
});

function adminKubeConfig(): KubeConfig {
  return getTestCluster().kubeConfig();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => resolve(true)));
  });
}

/** Whether a process runs; a zombie (dead, not yet reaped by its new parent) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) STATE ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // No /proc (not Linux): kill(0) is all we know.
  }
}

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(100);
  }
}
