/**
 * Builders for RBAC objects in tests, so each case reads as the manifest it stands for.
 */
import type { KubeObject } from '../../../src/engine/objects.js';

const RBAC = 'rbac.authorization.k8s.io/v1';

export interface RuleSpec {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** A resource rule in the core group unless groups are given. */
export function rule(verbs: string | readonly string[], resources: string | readonly string[], extra: Partial<RuleSpec> = {}): RuleSpec {
  return {
    verbs: typeof verbs === 'string' ? verbs.split(',') : verbs,
    apiGroups: extra.apiGroups ?? [''],
    resources: typeof resources === 'string' ? resources.split(',') : resources,
    ...(extra.resourceNames !== undefined ? { resourceNames: extra.resourceNames } : {}),
  };
}

export function urlRule(verbs: string, urls: readonly string[]): RuleSpec {
  return { verbs: verbs.split(','), nonResourceURLs: urls };
}

export function role(namespace: string, name: string, rules: readonly RuleSpec[]): KubeObject {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules: structuredClone(rules) };
}

export function clusterRole(name: string, rules: readonly RuleSpec[] | undefined, extra: Record<string, unknown> = {}): KubeObject {
  const { labels, ...rest } = extra as { labels?: Record<string, string> };
  return {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name, ...(labels !== undefined ? { labels } : {}) },
    ...(rules !== undefined ? { rules: structuredClone(rules) } : {}),
    ...rest,
  };
}

export interface SubjectSpec {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly apiGroup?: string;
}

export const user = (name: string): SubjectSpec => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
export const group = (name: string): SubjectSpec => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
export const sa = (namespace: string | undefined, name: string): SubjectSpec =>
  namespace === undefined ? { kind: 'ServiceAccount', name } : { kind: 'ServiceAccount', name, namespace };

export function roleBinding(
  namespace: string,
  name: string,
  roleRef: { kind: string; name: string },
  subjects: readonly SubjectSpec[],
): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects: structuredClone(subjects),
  };
}

export function clusterRoleBinding(name: string, roleName: string, subjects: readonly SubjectSpec[], roleKind = 'ClusterRole'): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
    subjects: structuredClone(subjects),
  };
}

export function serviceAccount(namespace: string, name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace }, ...extra };
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function pod(namespace: string, name: string, serviceAccountName?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      ...(serviceAccountName !== undefined ? { serviceAccountName } : {}),
      containers: [{ name: 'app', image: 'registry.example.com/app:1' }],
    },
  };
}

/** The bootstrap cluster-admin role, as the API server creates it. */
export const CLUSTER_ADMIN = clusterRole('cluster-admin', [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
]);
