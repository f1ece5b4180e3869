/**
 * The authorizer: answers a request exactly as the API server's RBAC authorizer
 * (`plugin/pkg/auth/authorizer/rbac/rbac.go` with `DefaultRuleResolver.VisitRulesFor`):
 *  - ClusterRoleBindings apply to every request; RoleBindings only to requests in their
 *    own namespace, so a cluster-wide request (namespace '') and every non-resource request
 *    is decided by ClusterRoleBindings alone;
 *  - a binding applies when one of its subjects matches the user name or one of the groups
 *    (subjects.ts); a role reference that dangles grants nothing;
 *  - the request is allowed when any rule of any applying binding allows it (rules.ts).
 *
 * Groups are the request's, exactly as given: nothing is added, as a SubjectAccessReview
 * adds nothing to `spec.groups` (use `impersonatedIdentity` for `kubectl --as` semantics).
 * One addition to RBAC, on by default because every SubjectAccessReview answers so: members
 * of `system:masters` are allowed everything by the API server's privileged-group
 * authorizer, which runs before RBAC; `{privilegedGroup: false}` asks RBAC alone.
 */
import type { RbacGraph } from './graph.js';
import type { Grant } from './permissions.js';
import { bindingsFor, grantAt } from './permissions.js';
import type { PolicyRule } from './rules.js';
import { ruleAllowsNonResource, ruleAllowsResource } from './rules.js';
import { MASTERS } from './subjects.js';

export interface ResourceRequest {
  readonly user: string;
  readonly groups?: readonly string[];
  readonly verb: string;
  readonly apiGroup?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
  /** '' or absent: a cluster-wide request. */
  readonly namespace?: string;
}

export interface NonResourceRequest {
  readonly user: string;
  readonly groups?: readonly string[];
  readonly verb: string;
  readonly path: string;
}

export type AccessRequest = ResourceRequest | NonResourceRequest;

export interface Decision {
  readonly allowed: boolean;
  /** Every rule that allows the request, ClusterRoleBindings first; empty when denied or allowed as `system:masters`. */
  readonly grants: readonly Grant[];
  /** `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "alice"`, as the API server words it; '' when denied. */
  readonly reason: string;
}

export interface AuthorizeOptions {
  /** Stop at the first allowing rule, as the API server does; faster for bulk questions. */
  readonly firstOnly?: boolean;
  /** Allow `system:masters` members everything (default true), as the API server does before RBAC. */
  readonly privilegedGroup?: boolean;
}

export function isNonResourceRequest(request: AccessRequest): request is NonResourceRequest {
  return typeof (request as NonResourceRequest).path === 'string';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The API server's wording, `ServiceAccount "name/namespace"` order included. */
function reasonFor(grant: Grant): string {
  const { binding, role, subject } = grant;
  const where = binding.namespace === undefined ? binding.name : `${binding.name}/${binding.namespace}`;
  const who = subject.kind === 'ServiceAccount' ? `${subject.name}/${subject.namespace ?? ''}` : subject.name;
  return `RBAC: allowed by ${binding.kind} "${where}" of ${role.kind} "${role.name}" to ${subject.kind} "${who}"`;
}

export function authorize(graph: RbacGraph, request: AccessRequest, options: AuthorizeOptions = {}): Decision {
  const groups = Array.isArray(request.groups) ? request.groups.filter((g): g is string => typeof g === 'string') : [];
  if (options.privilegedGroup !== false && groups.includes(MASTERS)) {
    return { allowed: true, grants: [], reason: `allowed: member of ${MASTERS}, which the API server authorizes before RBAC` };
  }
  const identity = { user: text(request.user), groups };
  const nonResource = isNonResourceRequest(request);
  const namespace = nonResource ? '' : text(request.namespace);
  const allows = nonResource
    ? (rule: PolicyRule): boolean => ruleAllowsNonResource(rule, { verb: text(request.verb), path: text(request.path) })
    : (rule: PolicyRule): boolean =>
        ruleAllowsResource(rule, {
          verb: text(request.verb),
          apiGroup: text(request.apiGroup),
          resource: text(request.resource),
          subresource: text(request.subresource),
          name: text(request.name),
        });
  const grants: Grant[] = [];
  for (const { binding, subject } of bindingsFor(graph, identity, namespace)) {
    const rules = binding.role?.rules ?? [];
    for (let i = 0; i < rules.length; i++) {
      if (!allows(rules[i] as PolicyRule)) continue;
      const grant = grantAt(binding, subject, i);
      if (grant === undefined) continue;
      grants.push(grant);
      if (options.firstOnly === true) return { allowed: true, grants, reason: reasonFor(grant) };
    }
  }
  const first = grants[0];
  return first === undefined ? { allowed: false, grants, reason: '' } : { allowed: true, grants, reason: reasonFor(first) };
}

/**
 * API groups of the built-in resources, for questions that name a resource without its
 * group (`can-i create deployments`), as kubectl resolves them through discovery. A
 * resource not listed here needs its group spelled out (`widgets.example.com`).
 */
export const BUILTIN_RESOURCE_GROUPS: Readonly<Record<string, string>> = {
  bindings: '',
  componentstatuses: '',
  configmaps: '',
  endpoints: '',
  events: '',
  limitranges: '',
  namespaces: '',
  nodes: '',
  persistentvolumeclaims: '',
  persistentvolumes: '',
  pods: '',
  podtemplates: '',
  replicationcontrollers: '',
  resourcequotas: '',
  secrets: '',
  serviceaccounts: '',
  services: '',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingadmissionpolicies: 'admissionregistration.k8s.io',
  validatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  customresourcedefinitions: 'apiextensions.k8s.io',
  apiservices: 'apiregistration.k8s.io',
  controllerrevisions: 'apps',
  daemonsets: 'apps',
  deployments: 'apps',
  replicasets: 'apps',
  statefulsets: 'apps',
  tokenreviews: 'authentication.k8s.io',
  selfsubjectreviews: 'authentication.k8s.io',
  localsubjectaccessreviews: 'authorization.k8s.io',
  selfsubjectaccessreviews: 'authorization.k8s.io',
  selfsubjectrulesreviews: 'authorization.k8s.io',
  subjectaccessreviews: 'authorization.k8s.io',
  horizontalpodautoscalers: 'autoscaling',
  cronjobs: 'batch',
  jobs: 'batch',
  certificatesigningrequests: 'certificates.k8s.io',
  leases: 'coordination.k8s.io',
  endpointslices: 'discovery.k8s.io',
  ingressclasses: 'networking.k8s.io',
  ingresses: 'networking.k8s.io',
  networkpolicies: 'networking.k8s.io',
  runtimeclasses: 'node.k8s.io',
  poddisruptionbudgets: 'policy',
  clusterrolebindings: 'rbac.authorization.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io',
  roles: 'rbac.authorization.k8s.io',
  priorityclasses: 'scheduling.k8s.io',
  csidrivers: 'storage.k8s.io',
  csinodes: 'storage.k8s.io',
  csistoragecapacities: 'storage.k8s.io',
  storageclasses: 'storage.k8s.io',
  volumeattachments: 'storage.k8s.io',
};

/**
 * Parses kubectl's `RESOURCE[.GROUP][/SUBRESOURCE]` (`pods/exec`, `deployments.apps`,
 * `widgets.example.com/status`); a bare built-in resource takes its group from
 * `BUILTIN_RESOURCE_GROUPS`, any other bare name the core group.
 */
export function parseResourceSpec(spec: string): { resource: string; apiGroup: string; subresource: string } {
  const slash = spec.indexOf('/');
  const head = slash < 0 ? spec : spec.slice(0, slash);
  const subresource = slash < 0 ? '' : spec.slice(slash + 1);
  const dot = head.indexOf('.');
  if (dot >= 0) return { resource: head.slice(0, dot), apiGroup: head.slice(dot + 1), subresource };
  const group = Object.hasOwn(BUILTIN_RESOURCE_GROUPS, head) ? BUILTIN_RESOURCE_GROUPS[head] : undefined;
  return { resource: head, apiGroup: group ?? '', subresource };
}
