/**
 * PolicyRule matching exactly as the API server's RBAC authorizer does it
 * (`pkg/apis/rbac/v1/evaluation_helpers.go` and `RuleAllows` in
 * `plugin/pkg/auth/authorizer/rbac/rbac.go`), and rule coverage as its escalation check
 * reads it. Rules come from manifests or the API and are not trusted: every list is
 * narrowed to its string entries, so a malformed rule simply matches less.
 *
 * The forms that matter, and the ones that surprise people:
 *  - `*` in verbs, apiGroups or resources matches everything in that list;
 *  - a resource entry `pods/exec` matches that subresource, and `* /exec` (without the
 *    space) any resource's `exec` subresource; `pods/*` is NOT a wildcard to the API
 *    server: it matches only a request whose subresource is literally `*`;
 *  - resourceNames restrict a rule to those names; an empty list means all names, and a
 *    request without a name (list, create, deletecollection) never matches a rule that has
 *    resourceNames;
 *  - nonResourceURLs match exactly, as `*`, or as a prefix when they end in `*`.
 */
import { isRecord } from '../objects.js';

export const ALL = '*';

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** What a resource request asks for; absent fields are the empty string, as in the API server. */
export interface ResourceAttributes {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
}

export interface NonResourceAttributes {
  readonly verb: string;
  readonly path: string;
}

const EMPTY_RULE: PolicyRule = Object.freeze({
  verbs: [],
  apiGroups: [],
  resources: [],
  resourceNames: [],
  nonResourceURLs: [],
});

function strings(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is string => typeof entry === 'string');
}

// Rules read before, by the object read. The controller's cache holds equal rule lists
// once (trim.ts shares them), and the same few roles in 2,000 namespaces would otherwise
// be read into 2,000 copies of five arrays per rule, kept as long as the RBAC graph is.
const readRules = new WeakMap<object, PolicyRule>();
const readRuleLists = new WeakMap<object, readonly PolicyRule[]>();

/** One rule as read from untrusted input; anything that is not a rule object grants nothing. */
export function policyRuleOf(value: unknown): PolicyRule {
  if (!isRecord(value)) return EMPTY_RULE;
  let rule = readRules.get(value);
  if (rule === undefined) {
    rule = {
      verbs: strings(value['verbs']),
      apiGroups: strings(value['apiGroups']),
      resources: strings(value['resources']),
      resourceNames: strings(value['resourceNames']),
      nonResourceURLs: strings(value['nonResourceURLs']),
    };
    readRules.set(value, rule);
  }
  return rule;
}

/**
 * The rules of a Role or ClusterRole, index for index with `rules[]` in the object so
 * messages can name `rules[2]`; a missing or non-list field is no rules.
 */
export function rulesOf(value: unknown): readonly PolicyRule[] {
  if (!Array.isArray(value)) return [];
  let rules = readRuleLists.get(value);
  if (rules === undefined) {
    rules = value.map(policyRuleOf);
    readRuleLists.set(value, rules);
  }
  return rules;
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes(ALL) || rule.verbs.includes(verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.includes(ALL) || rule.apiGroups.includes(group);
}

/** `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const entry of rule.resources) {
    if (entry === ALL || entry === combined) return true;
    if (subresource !== '' && entry === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs) {
    if (url === ALL || url === path) return true;
    // Go's TrimRight removes every trailing `*`, so `/logs**` is the prefix `/logs`.
    if (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function combinedResource(resource: string, subresource: string): string {
  return subresource === '' ? resource : `${resource}/${subresource}`;
}

export function ruleAllowsResource(rule: PolicyRule, request: ResourceAttributes): boolean {
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup) &&
    resourceMatches(rule, combinedResource(request.resource, request.subresource), request.subresource) &&
    resourceNameMatches(rule, request.name)
  );
}

export function ruleAllowsNonResource(rule: PolicyRule, request: NonResourceAttributes): boolean {
  return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
}

// ---------------------------------------------------------------------------------------
// Coverage: does a set of rules grant at least what another rule grants? The API server
// asks this before it lets someone create a role or binding (its escalation check). A
// wildcard in the covered rule is taken literally there, so only a wildcard covers it; we
// do the same, which errs on the side of "not covered" and so reports more, never less.

function coversVerb(owner: PolicyRule, verb: string): boolean {
  return owner.verbs.includes(ALL) || owner.verbs.includes(verb);
}

function coversGroup(owner: PolicyRule, group: string): boolean {
  return owner.apiGroups.includes(ALL) || owner.apiGroups.includes(group);
}

function coversResource(owner: PolicyRule, resource: string): boolean {
  if (owner.resources.includes(ALL) || owner.resources.includes(resource)) return true;
  const slash = resource.indexOf('/');
  return slash >= 0 && owner.resources.includes(`*/${resource.slice(slash + 1)}`);
}

function coversName(owner: PolicyRule, name: string | undefined): boolean {
  if (owner.resourceNames.length === 0) return true;
  return name !== undefined && owner.resourceNames.includes(name);
}

function coversURL(owner: PolicyRule, url: string): boolean {
  for (const mine of owner.nonResourceURLs) {
    if (mine === ALL || mine === url) return true;
    if (mine.endsWith('*') && url.startsWith(mine.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** Whether `owners` together grant everything `rule` grants, checked one atomic permission at a time. */
export function rulesCover(owners: readonly PolicyRule[], rule: PolicyRule): boolean {
  const names: readonly (string | undefined)[] =
    rule.resourceNames.length > 0 ? rule.resourceNames : [undefined];
  for (const verb of rule.verbs) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        for (const name of names) {
          const covered = owners.some(
            (o) =>
              coversVerb(o, verb) &&
              coversGroup(o, group) &&
              coversResource(o, resource) &&
              coversName(o, name),
          );
          if (!covered) return false;
        }
      }
    }
    for (const url of rule.nonResourceURLs) {
      if (!owners.some((o) => coversVerb(o, verb) && coversURL(o, url))) return false;
    }
  }
  return true;
}

/**
 * `rulesCover` for many questions against the same owner rules: the owners indexed by
 * (verb, group, resource) as written, so each atomic permission costs a dozen map lookups
 * instead of a scan. Answers exactly as `rulesCover` does.
 */
export class RuleCoverage {
  private readonly byKey = new Map<string, PolicyRule[]>();
  private readonly urlRules: PolicyRule[] = [];

  constructor(owners: readonly PolicyRule[]) {
    for (const owner of owners) {
      if (owner.nonResourceURLs.length > 0) this.urlRules.push(owner);
      for (const verb of new Set(owner.verbs)) {
        for (const group of new Set(owner.apiGroups)) {
          for (const resource of new Set(owner.resources)) {
            const key = `${verb}\u0000${group}\u0000${resource}`;
            const list = this.byKey.get(key);
            if (list === undefined) this.byKey.set(key, [owner]);
            else list.push(owner);
          }
        }
      }
    }
  }

  private coversAtom(verb: string, group: string, resource: string, name: string | undefined): boolean {
    const slash = resource.indexOf('/');
    const resources = slash < 0 ? [resource, ALL] : [resource, ALL, `*/${resource.slice(slash + 1)}`];
    for (const v of verb === ALL ? [ALL] : [verb, ALL]) {
      for (const g of group === ALL ? [ALL] : [group, ALL]) {
        for (const r of resources) {
          const owners = this.byKey.get(`${v}\u0000${g}\u0000${r}`);
          if (owners !== undefined && owners.some((o) => coversName(o, name))) return true;
        }
      }
    }
    return false;
  }

  covers(rule: PolicyRule): boolean {
    const names: readonly (string | undefined)[] =
      rule.resourceNames.length > 0 ? rule.resourceNames : [undefined];
    for (const verb of rule.verbs) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          for (const name of names) if (!this.coversAtom(verb, group, resource, name)) return false;
        }
      }
      for (const url of rule.nonResourceURLs) {
        if (!this.urlRules.some((o) => coversVerb(o, verb) && coversURL(o, url))) return false;
      }
    }
    return true;
  }
}

const ruleKeys = new WeakMap<PolicyRule, string>();

/** A stable identity for a rule, equal for rules the API server deems semantically equal. */
export function ruleKey(rule: PolicyRule): string {
  let key = ruleKeys.get(rule);
  if (key === undefined) {
    key = JSON.stringify([
      rule.verbs,
      rule.apiGroups,
      rule.resources,
      rule.resourceNames,
      rule.nonResourceURLs,
    ]);
    ruleKeys.set(rule, key);
  }
  return key;
}

function list(values: readonly string[]): string {
  return values.join(',');
}

function groupLabel(group: string): string {
  return group === '' ? 'core' : group;
}

/**
 * A compact human form, e.g. `get,list secrets` or `* *.* (all groups)`, for messages:
 * `verbs resources[.groups] [names] [urls]`.
 */
export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [list(rule.verbs) || '(no verbs)'];
  if (rule.resources.length > 0) {
    const groups = rule.apiGroups.filter((g) => g !== '');
    const resources = list(rule.resources);
    parts.push(groups.length === 0 ? resources : `${resources} in ${list(rule.apiGroups.map(groupLabel))}`);
    if (rule.resourceNames.length > 0) parts.push(`named ${list(rule.resourceNames)}`);
  }
  if (rule.nonResourceURLs.length > 0) parts.push(`URLs ${list(rule.nonResourceURLs)}`);
  return parts.join(' ');
}
