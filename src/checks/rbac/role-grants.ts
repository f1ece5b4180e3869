/**
 * What the role checks share: find the rules of a Role or ClusterRole that grant a
 * capability, and the subjects the role is bound to.
 *
 * Reporting, decided as an auditor would: the finding is on the role (that is what gets
 * fixed, and one role bound ten times is one finding), with the rules and the subjects it
 * reaches in the message, as rbac-tool's and Polaris's role reports do — but only when the
 * role is bound to someone other than a system component, as kubescape judges rules through
 * their bindings. An unbound role grants nothing, and the bootstrap roles the control plane
 * binds to itself (`system:controller:*`, `system:kube-scheduler`, cluster-admin for
 * `system:masters`, ...) would make every fresh cluster fail; subjects.ts defines "system
 * component" precisely. The `includeUnbound` parameter reports unbound roles too, for
 * manifest sets whose bindings live elsewhere.
 */
import type { CheckContext, ParamSpec } from '../../engine/check.js';
import type { KubeObject } from '../../engine/objects.js';
import type { Capability, CapabilityMatch } from '../../engine/rbac/capabilities.js';
import { describeMatch, ruleGrants } from '../../engine/rbac/capabilities.js';
import type { BindingNode, RbacGraph, RoleNode } from '../../engine/rbac/graph.js';
import { bindingNodeFor, describeRef, rbacGraphOf, roleKeyOf, roleNodeFor } from '../../engine/rbac/graph.js';
import type { PolicyRule } from '../../engine/rbac/rules.js';
import type { Subject } from '../../engine/rbac/subjects.js';
import { compareSubjects, describeSubject, isSystemSubject, subjectKey } from '../../engine/rbac/subjects.js';
import type { CheckOutcome } from '../../engine/types.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';

export const ROLE_KINDS: readonly string[] = ['Role', 'ClusterRole'];
export const BINDING_KINDS: readonly string[] = ['RoleBinding', 'ClusterRoleBinding'];
export const NSA_AUTHZ = { framework: 'NSA-CISA', control: 'Authentication and authorization' } as const;

export const INCLUDE_UNBOUND: Readonly<Record<string, ParamSpec>> = {
  includeUnbound: {
    type: 'boolean',
    description: 'Also report roles that no binding in the inventory grants (for manifest sets whose bindings live elsewhere).',
    default: false,
  },
};

/** Subjects shown in a message before "and N more". */
const SHOWN_SUBJECTS = 5;

export interface RuleHit {
  readonly index: number;
  readonly text: string;
}

export interface BoundSubject {
  readonly subject: Subject;
  readonly binding: BindingNode;
}

/** `rules[2]`, or `rules[2] (from ClusterRole x)` for a rule aggregated into the role. */
export function ruleLabel(node: RoleNode, index: number): string {
  const from = node.origins?.[index];
  return from === undefined ? `rules[${index}]` : `rules[${index}] (from ClusterRole ${from})`;
}

/**
 * The subjects bound to a role that are not system components, each once, sorted. With
 * `clusterOnly`, only ClusterRoleBindings count: for cluster-scoped resources (nodes,
 * webhook configurations, CSRs) a RoleBinding grants nothing.
 */
export function boundSubjects(graph: RbacGraph, node: RoleNode, clusterOnly = false): BoundSubject[] {
  const out = new Map<string, BoundSubject>();
  for (const binding of graph.bindingsByRole.get(roleKeyOf(node.ref)) ?? []) {
    if (clusterOnly && binding.ref.kind !== 'ClusterRoleBinding') continue;
    for (const { subject } of binding.subjects) {
      if (isSystemSubject(subject, { name: binding.ref.name, roleName: binding.roleRef.name })) continue;
      const key = subjectKey(subject);
      if (!out.has(key)) out.set(key, { subject, binding });
    }
  }
  return [...out.values()].sort((a, b) => compareSubjects(a.subject, b.subject));
}

/** `ServiceAccount shop/web (RoleBinding shop/web), User alice (ClusterRoleBinding admins) and 3 more`. */
export function describeBound(bound: readonly BoundSubject[]): string {
  const shown = bound.slice(0, SHOWN_SUBJECTS).map((b) => `${describeSubject(b.subject)} (${describeRef(b.binding.ref)})`);
  const more = bound.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** Looks up the role node of a check's subject, or says why there is none. */
export function roleUnderCheck(
  object: KubeObject,
  ctx: CheckContext,
): { readonly graph: RbacGraph; readonly node: RoleNode } | CheckOutcome {
  if (object.kind !== 'Role' && object.kind !== 'ClusterRole') return skip('not a Role or ClusterRole');
  const graph = rbacGraphOf(ctx);
  const node = roleNodeFor(graph, object);
  if (node === undefined) return skip('not a Role or ClusterRole');
  if (node.malformed) return checkError('InvalidRules', 'rules is not a list');
  return { graph, node };
}

/** Looks up the binding node of a check's subject, or says why there is none. */
export function bindingUnderCheck(
  object: KubeObject,
  ctx: CheckContext,
): { readonly graph: RbacGraph; readonly node: BindingNode } | CheckOutcome {
  const graph = rbacGraphOf(ctx);
  const node = bindingNodeFor(graph, object);
  if (node === undefined) return skip('not a RoleBinding or ClusterRoleBinding');
  const subjects = object['subjects'];
  if (subjects !== undefined && subjects !== null && !Array.isArray(subjects)) {
    return checkError('InvalidSubjects', 'subjects is not a list');
  }
  return { graph, node };
}

/**
 * The common evaluation: fail when some rule matches (`describe` says how) and the role is
 * bound to a subject that is not a system component (or `includeUnbound` is set).
 */
export function evaluateRoleRules(
  object: KubeObject,
  ctx: CheckContext,
  reason: string,
  describe: (rule: PolicyRule) => string | undefined,
  clusterOnly = false,
): CheckOutcome {
  const found = roleUnderCheck(object, ctx);
  if ('status' in found) return found;
  const { graph, node } = found;
  const hits: RuleHit[] = [];
  node.rules.forEach((rule, index) => {
    const text = describe(rule);
    if (text !== undefined) hits.push({ index, text });
  });
  if (hits.length === 0) return PASS;
  const what = hits.map((hit) => `${ruleLabel(node, hit.index)} ${hit.text}`).join('; ');
  const bound = boundSubjects(graph, node, clusterOnly);
  if (bound.length > 0) return fail(reason, `${what}; bound to ${describeBound(bound)}`);
  return ctx.params['includeUnbound'] === true ? fail(reason, `${what}; not bound to any subject`) : PASS;
}

/** `evaluateRoleRules` for a capability: the rule's matched verbs and resources. */
export function evaluateRoleCapability(
  object: KubeObject,
  ctx: CheckContext,
  capability: Capability,
  reason: string,
  clusterOnly = false,
): CheckOutcome {
  return evaluateRoleRules(
    object,
    ctx,
    reason,
    (rule) => {
      const match: CapabilityMatch | undefined = ruleGrants(rule, capability);
      return match === undefined ? undefined : `grants ${describeMatch(match)}`;
    },
    clusterOnly,
  );
}
