/**
 * Dangerous capabilities a rule can grant, each a set of probes (verbs on resources of one
 * API group) matched with the authorizer's own verb, group and resource semantics, so a
 * rule `* /*` in `*` (without the spaces) grants every capability and `pods/*` grants none
 * (rules.ts explains why). resourceNames narrow a capability but do not remove it: a rule
 * that may read one Secret still reads Secrets, so a match records the names instead.
 *
 * The role checks, `sa.privileged-unused` and the escalation analysis share these, so
 * "dangerous" means the same thing everywhere.
 */
import type { PolicyRule } from './rules.js';
import { ALL, apiGroupMatches, resourceMatches, verbMatches } from './rules.js';
import { RBAC_GROUP } from './subjects.js';

export interface Probe {
  /** Verbs that count; undefined means any verb the rule names. */
  readonly verbs?: readonly string[];
  readonly apiGroup: string;
  /** `resource` or `resource/subresource`. */
  readonly resources: readonly string[];
}

export interface Capability {
  readonly id: string;
  /** What a holder may do, for messages: `read Secrets`. */
  readonly label: string;
  readonly probes: readonly Probe[];
}

export interface CapabilityMatch {
  readonly verbs: readonly string[];
  /** Matched resources, qualified by group outside the core group: `deployments.apps`. */
  readonly resources: readonly string[];
  /** The names the rule is limited to; empty when it applies to every name. */
  readonly resourceNames: readonly string[];
}

const CORE = '';
const APPS = 'apps';
const BATCH = 'batch';

export const SECRETS_READ: Capability = {
  id: 'secrets-read',
  label: 'read Secrets',
  probes: [{ verbs: ['get', 'list', 'watch'], apiGroup: CORE, resources: ['secrets'] }],
};

// Websocket exec/attach/portforward were authorized as `get` until the
// AuthorizePodWebsocketUpgradeCreatePermission gate made them need `create`, so both count.
export const POD_EXEC: Capability = {
  id: 'pod-exec',
  label: 'run commands in containers',
  probes: [
    { verbs: ['create', 'get'], apiGroup: CORE, resources: ['pods/exec', 'pods/attach', 'pods/portforward'] },
  ],
};

export const ESCALATE_BIND_IMPERSONATE: Capability = {
  id: 'escalate-bind-impersonate',
  label: 'escalate, bind or impersonate',
  probes: [
    { verbs: ['bind', 'escalate'], apiGroup: RBAC_GROUP, resources: ['roles', 'clusterroles'] },
    { verbs: ['impersonate'], apiGroup: CORE, resources: ['users', 'groups', 'serviceaccounts'] },
    { verbs: ['impersonate'], apiGroup: 'authentication.k8s.io', resources: ['uids'] },
  ],
};

/** The kinds whose creation starts a pod with a ServiceAccount of the creator's choosing. */
export const POD_CREATE: Capability = {
  id: 'pod-create',
  label: 'create pods or pod controllers',
  probes: [
    { verbs: ['create'], apiGroup: CORE, resources: ['pods', 'replicationcontrollers'] },
    {
      verbs: ['create'],
      apiGroup: APPS,
      resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    },
    { verbs: ['create'], apiGroup: BATCH, resources: ['jobs', 'cronjobs'] },
  ],
};

// The kubelet maps its own API onto verbs of nodes/proxy (GET → get, POST → create, ...),
// and exec through it needs only `get` on some kubelet versions: every verb counts.
export const NODES_PROXY: Capability = {
  id: 'nodes-proxy',
  label: 'reach the kubelet API through nodes/proxy',
  probes: [{ apiGroup: CORE, resources: ['nodes/proxy'] }],
};

export const SA_TOKEN_CREATE: Capability = {
  id: 'sa-token-create',
  label: 'create ServiceAccount tokens',
  probes: [{ verbs: ['create'], apiGroup: CORE, resources: ['serviceaccounts/token'] }],
};

export const CSR_APPROVAL: Capability = {
  id: 'csr-approval',
  label: 'approve CertificateSigningRequests',
  probes: [
    {
      verbs: ['update', 'patch'],
      apiGroup: 'certificates.k8s.io',
      resources: ['certificatesigningrequests/approval'],
    },
  ],
};

/** The second half of approving a CSR: `approve` on the signer it names. */
export const SIGNER_APPROVE: Capability = {
  id: 'signer-approve',
  label: 'approve for a signer',
  probes: [{ verbs: ['approve'], apiGroup: 'certificates.k8s.io', resources: ['signers'] }],
};

export const ADMISSION_WEBHOOKS: Capability = {
  id: 'admission-webhooks',
  label: 'change admission webhooks',
  probes: [
    {
      verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
      apiGroup: 'admissionregistration.k8s.io',
      resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
    },
  ],
};

/** What `sa.privileged-unused` counts as privileged. */
export const DANGEROUS_CAPABILITIES: readonly Capability[] = [
  SECRETS_READ,
  POD_EXEC,
  ESCALATE_BIND_IMPERSONATE,
  POD_CREATE,
  NODES_PROXY,
  SA_TOKEN_CREATE,
  CSR_APPROVAL,
  ADMISSION_WEBHOOKS,
];

function qualified(resource: string, group: string): string {
  if (group === CORE) return resource;
  const slash = resource.indexOf('/');
  return slash < 0 ? `${resource}.${group}` : `${resource.slice(0, slash)}.${group}${resource.slice(slash)}`;
}

/** What part of a capability one rule grants, or undefined when it grants none of it. */
export function ruleGrants(rule: PolicyRule, capability: Capability): CapabilityMatch | undefined {
  // Asked for every rule of every role under several checks on each evaluation, and nearly
  // always answered "none": nothing is allocated until a resource matches.
  let verbs: Set<string> | undefined;
  let resources: Set<string> | undefined;
  for (const probe of capability.probes) {
    if (!apiGroupMatches(rule, probe.apiGroup)) continue;
    const probeVerbs = probe.verbs ?? rule.verbs;
    if (!anyVerbMatches(rule, probeVerbs)) continue;
    for (const resource of probe.resources) {
      const slash = resource.indexOf('/');
      if (!resourceMatches(rule, resource, slash < 0 ? '' : resource.slice(slash + 1))) continue;
      (resources ??= new Set()).add(qualified(resource, probe.apiGroup));
      verbs ??= new Set();
      for (const verb of probeVerbs) if (verbMatches(rule, verb)) verbs.add(verb);
    }
  }
  if (resources === undefined || verbs === undefined) return undefined;
  return { verbs: [...verbs], resources: [...resources], resourceNames: rule.resourceNames };
}

function anyVerbMatches(rule: PolicyRule, verbs: readonly string[]): boolean {
  for (const verb of verbs) if (verbMatches(rule, verb)) return true;
  return false;
}

/** `get,list on secrets` or `create on pods, deployments.apps (only names a, b)`. */
export function describeMatch(match: CapabilityMatch): string {
  const names = match.resourceNames.length > 0 ? ` (only names ${match.resourceNames.join(', ')})` : '';
  return `${match.verbs.join(',')} on ${match.resources.join(', ')}${names}`;
}

/** A rule equivalent to cluster-admin's: every verb on every resource of every group, any name. */
export function isClusterAdminRule(rule: PolicyRule): boolean {
  return (
    rule.verbs.includes(ALL) &&
    rule.apiGroups.includes(ALL) &&
    rule.resources.includes(ALL) &&
    rule.resourceNames.length === 0
  );
}
