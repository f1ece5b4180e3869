/**
 * The RBAC analysis, for the checks and the `can-i` / `who-can` / `access` commands: build
 * (or derive) the graph once, then ask it questions.
 */
export type { AccessRequest, AuthorizeOptions, Decision, NonResourceRequest, ResourceRequest } from './authorize.js';
export { authorize, BUILTIN_RESOURCE_GROUPS, isNonResourceRequest, parseResourceSpec } from './authorize.js';
export type { Capability, CapabilityMatch, Probe } from './capabilities.js';
export {
  ADMISSION_WEBHOOKS,
  CSR_APPROVAL,
  DANGEROUS_CAPABILITIES,
  describeMatch,
  ESCALATE_BIND_IMPERSONATE,
  isClusterAdminRule,
  NODES_PROXY,
  POD_CREATE,
  POD_EXEC,
  ruleGrants,
  SA_TOKEN_CREATE,
  SECRETS_READ,
  SIGNER_APPROVE,
} from './capabilities.js';
export type { EscalationOptions, EscalationPath, Step, StepKind, Target } from './escalation.js';
export { allEscalationPaths, describePath, describeStep, describeTarget, ESCALATION_PATH_LIMIT, escalationPaths } from './escalation.js';
export type { BindingNode, BindingRef, BoundSubject, RbacGraph, RoleNode, RoleRef } from './graph.js';
export {
  bindingNodeFor,
  buildRbacGraph,
  describeRef,
  RBAC_GRAPH_KINDS,
  rbacGraphOf,
  roleKeyOf,
  roleNodeFor,
  serviceAccountExists,
} from './graph.js';
export type { Grant, NonResourceQuery, Permissions, ResourceQuery, WhoCanEntry, WhoCanOptions } from './permissions.js';
export { bindingsFor, directGrants, grantsIn, isSystemComponent, permissionsOf, whoCan } from './permissions.js';
export { serviceAccountUsage, serviceAccountUsageOf } from './usage.js';
export type { PolicyRule } from './rules.js';
export { describeRule, policyRuleOf, rulesCover, rulesOf } from './rules.js';
export type { Identity, Subject, SubjectKind } from './subjects.js';
export {
  describeSubject,
  identityOf,
  impersonatedIdentity,
  isPublicSubject,
  isSystemSubject,
  serviceAccountIdentity,
  subjectKey,
} from './subjects.js';
