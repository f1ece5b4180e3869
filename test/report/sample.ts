/** A small, fixed scan report with one of everything the formats must show. */
import type { CheckMeta } from '../../src/engine/check.js';
import type { Tally } from '../../src/engine/evaluate.js';
import type { Diagnostic, Finding } from '../../src/engine/types.js';
import type { ReportLocation, ScanReport } from '../../src/report/model.js';
import { buildReport } from '../../src/report/model.js';

export const NOW = new Date('2026-11-24T12:00:00Z');

const PRIVILEGED: CheckMeta = {
  id: 'pss.privileged',
  title: 'Privileged containers',
  description: 'Privileged containers disable most isolation between the container and its node.',
  severity: 'critical',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: ['Pod', 'Deployment'],
  frameworks: [
    { framework: 'PSS', control: 'baseline/privileged' },
    { framework: 'CIS', control: '5.2.2' },
  ],
  remediation: 'Remove securityContext.privileged or set it to false.',
};
const LATEST: CheckMeta = {
  id: 'workload.image-tag',
  title: 'Image without a fixed tag',
  description: 'An image without a tag, or tagged :latest, changes under a running workload.',
  severity: 'medium',
  category: 'workload',
  profiles: ['workloads'],
  kinds: ['Pod', 'Deployment'],
  frameworks: [],
  remediation: 'Pin the image to a version tag or a digest.',
};
const WILDCARD: CheckMeta = {
  id: 'rbac.wildcard',
  title: 'Wildcards in RBAC rules',
  description: 'A rule with * grants every verb, resource or API group, including future ones.',
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ['Role', 'ClusterRole'],
  frameworks: [{ framework: 'CIS', control: '5.1.3' }],
  remediation: 'List the verbs, resources and API groups the subject needs.',
};
const NO_NETPOL: CheckMeta = {
  id: 'ns.network-policy',
  title: 'Namespace without a NetworkPolicy',
  description: 'Without a NetworkPolicy every pod accepts traffic from everywhere.',
  severity: 'low',
  category: 'namespace',
  profiles: ['namespaces'],
  kinds: ['Namespace', 'NetworkPolicy'],
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation and hardening' }],
  remediation: 'Add a default-deny NetworkPolicy & allow what is needed <explicitly>.',
};

function finding(check: CheckMeta, rest: Partial<Finding> & Pick<Finding, 'resource' | 'message'>): Finding {
  return {
    checkId: check.id,
    title: check.title,
    severity: check.severity,
    category: check.category,
    frameworks: check.frameworks,
    status: 'fail',
    reason: 'Failed',
    remediation: check.remediation,
    count: 1,
    ...rest,
  };
}

const FINDINGS: Finding[] = [
  finding(PRIVILEGED, {
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
    message: 'container "web" is privileged (securityContext.privileged: true)',
    count: 3,
    source: 'apps/shop.yaml#2',
  }),
  finding(PRIVILEGED, {
    resource: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'shop', name: 'node-agent' },
    message: 'container "agent" is privileged',
    source: 'apps/shop.yaml#3',
    waiver: { reason: 'reads host metrics', owner: 'platform-team', ticket: 'SEC-1234', expires: '2027-03-01T00:00:00Z', expired: false },
  }),
  finding(LATEST, {
    resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'debug' },
    message: 'container "shell" uses image "busybox:latest"',
    source: 'apps/shop.yaml#4',
    waiver: { reason: 'temporary debugging pod', expires: '2026-01-01T00:00:00Z', expired: true },
  }),
  finding(LATEST, {
    resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'broken' },
    status: 'error',
    reason: 'InvalidField',
    message: 'spec.containers[0].image is a number, not a string',
    source: 'apps/shop.yaml#5',
  }),
  finding(NO_NETPOL, {
    resource: { apiVersion: 'v1', kind: 'Namespace', name: 'tools' },
    message: 'namespace "tools" has no NetworkPolicy: every pod accepts traffic from everywhere',
  }),
  finding(WILDCARD, {
    resource: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'ops "all" <access>' },
    message: 'rule 1 grants verbs ["*"] on resources ["*"] & more',
    source: 'rbac/roles.yaml#1',
  }),
  // A resource the manifests only reference: no location of its own.
  finding(WILDCARD, {
    resource: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'aggregated' },
    message: 'aggregates a rule that grants verbs ["*"]',
  }),
];

const TALLIES = new Map<string, Tally>([
  ['shop', { evaluated: 60, failed: 32 }],
  ['tools', { evaluated: 10, failed: 0 }],
  ['quiet', { evaluated: 20, failed: 0 }],
  ['', { evaluated: 25, failed: 10 }],
]);

const LINES: Readonly<Record<string, number>> = {
  'apps/shop.yaml#2': 12,
  'apps/shop.yaml#3': 40,
  'apps/shop.yaml#4': 61,
  'apps/shop.yaml#5': 75,
  'rbac/roles.yaml#1': 1,
};

function locate(f: Finding): ReportLocation | undefined {
  if (f.source !== undefined) {
    const [file = '', document = '1'] = f.source.split('#');
    return { file, line: LINES[f.source] ?? 1, document: Number(document) };
  }
  return f.resource.kind === 'Namespace' ? { file: 'apps/tools.yaml', line: 1, document: 1 } : undefined;
}

const DIAGNOSTICS: Diagnostic[] = [
  { severity: 'error', path: 'apps/broken.yaml#2', message: 'line 14, column 10: bad indentation of a mapping entry' },
  { severity: 'warning', path: 'values.yaml#1', message: 'line 1: skipped: no apiVersion or kind, so not a Kubernetes object' },
];

const RULES = [PRIVILEGED, LATEST, WILDCARD, NO_NETPOL].map((check) => ({ check, severity: check.severity }));

export function sampleReport(): ScanReport {
  return buildReport({
    tool: { name: 'bulwark', version: '0.1.0' },
    policy: 'production',
    now: NOW,
    inputs: { files: 4, documents: 9, objects: 7 },
    findings: FINDINGS,
    tallies: TALLIES,
    diagnostics: DIAGNOSTICS,
    rules: RULES,
    locate,
    defaultLocation: { file: 'apps/shop.yaml', line: 1 },
  });
}

export function cleanReport(): ScanReport {
  return buildReport({
    tool: { name: 'bulwark', version: '0.1.0' },
    policy: 'default',
    now: NOW,
    inputs: { files: 1, documents: 2, objects: 2 },
    findings: [],
    tallies: new Map([['shop', { evaluated: 40, failed: 0 }]]),
    diagnostics: [],
    rules: RULES,
  });
}
