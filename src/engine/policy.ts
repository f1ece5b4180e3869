/**
 * SecurityPolicy semantics: which checks run, with which severity and parameters, where,
 * and which findings are accepted risks. `compilePolicy` validates a policy as read from
 * YAML or the API and turns it into a CompiledPolicy, naming every problem by its field
 * path. A policy with any error compiles to nothing: the caller keeps the last valid one
 * (the controller) or stops with the errors (the scanner), so a typo never silently
 * disables a check.
 */
import type { Check, ParamSpec, ParamValue, Params } from './check.js';
import { compileCelRule } from '../checks/custom/cel-rule.js';
import { isPodSecurityVersion } from './context.js';
import { matchesAnyGlob } from './glob.js';
import type { LabelSelector } from './label-selector.js';
import { matchesSelector, validateSelector } from './label-selector.js';
import { isRecord } from './objects.js';
import type { Diagnostic, Profile, ResourceRef, Severity, Waiver } from './types.js';
import { isSeverity, PROFILES } from './types.js';
import { POLICY_API_VERSION, POLICY_KIND } from './policy-type.js';

export { POLICY_API_VERSION, POLICY_KIND };

const CHECK_ID_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$/;

export interface EnabledCheck {
  readonly check: Check;
  readonly severity: Severity;
  readonly params: Params;
}

export interface CompiledException {
  readonly checks: readonly string[];
  readonly kinds: readonly string[];
  readonly namespaces: readonly string[];
  readonly names: readonly string[];
  readonly reason: string;
  readonly owner?: string;
  readonly ticket?: string;
  readonly expires?: string;
  /** `expires` in epoch milliseconds. */
  readonly expiresAt?: number;
}

export interface CompiledPolicy {
  readonly name: string;
  readonly generation?: number;
  readonly uid?: string;
  readonly checks: readonly EnabledCheck[];
  readonly pinnedPodSecurityVersion?: string;
  /** Absent selects every namespace. */
  readonly namespaceSelector?: LabelSelector;
  readonly excludeNamespaces: readonly string[];
  readonly exceptions: readonly CompiledException[];
  /** Findings first seen before this instant are the accepted baseline (drift is the rest). */
  readonly baselineAcceptedAt?: string;
}

export interface PolicyCompilation {
  readonly policy?: CompiledPolicy;
  readonly diagnostics: readonly Diagnostic[];
}

/** Every profile on, every default check at its default severity: the scanner without `--policy`. */
export function defaultPolicy(checks: readonly Check[], name = 'default'): CompiledPolicy {
  return {
    name,
    checks: checks
      .filter((check) => check.profiles.length > 0)
      .map((check) => ({ check, severity: check.severity, params: {} })),
    excludeNamespaces: [],
    exceptions: [],
  };
}

/** Edit distance, for "did you mean" hints on misspelt IDs and profiles. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

export function suggest(value: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(value, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 3))
    ? ` (did you mean "${best}"?)`
    : '';
}

function paramMatches(spec: ParamSpec, value: unknown): value is ParamValue {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' && (spec.enum === undefined || spec.enum.includes(value));
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (spec.minimum === undefined || value >= spec.minimum) &&
        (spec.maximum === undefined || value <= spec.maximum)
      );
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function describeParam(spec: ParamSpec): string {
  switch (spec.type) {
    case 'string':
      return spec.enum !== undefined ? `one of ${spec.enum.join(', ')}` : 'a string';
    case 'string[]':
      return 'a list of strings';
    case 'number': {
      const bounds = [
        spec.minimum !== undefined ? `>= ${spec.minimum}` : '',
        spec.maximum !== undefined ? `<= ${spec.maximum}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      return bounds === '' ? 'a number' : `a number ${bounds}`;
    }
    case 'boolean':
      return 'true or false';
  }
}

/** Collects diagnostics while reading untrusted fields. */
class Reader {
  readonly diagnostics: Diagnostic[] = [];

  error(path: string, message: string): void {
    this.diagnostics.push({ severity: 'error', path, message });
  }

  warn(path: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', path, message });
  }

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  stringList(value: unknown, path: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, 'must be a list of strings');
      return [];
    }
    const out: string[] = [];
    value.forEach((item: unknown, i) => {
      if (typeof item === 'string' && item !== '') out.push(item);
      else this.error(`${path}[${i}]`, 'must be a non-empty string');
    });
    return out;
  }

  optionalString(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.error(path, 'must be a string');
      return undefined;
    }
    return value;
  }

  list(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, 'must be a list');
      return [];
    }
    return value;
  }

  timestamp(value: unknown, path: string): { text: string; ms: number } | undefined {
    const text = this.optionalString(value, path);
    if (text === undefined) return undefined;
    // RFC 3339 as the API's date-time format requires; Date.parse alone accepts too much.
    const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)
      ? Date.parse(text)
      : NaN;
    if (Number.isNaN(ms)) {
      this.error(path, `must be an RFC 3339 date-time such as 2027-03-01T00:00:00Z (got "${text}")`);
      return undefined;
    }
    return { text, ms };
  }
}

/**
 * Validates and compiles a SecurityPolicy object. `checks` is the catalogue; custom rules
 * from `spec.rules` join it for this policy only.
 */
export function compilePolicy(raw: unknown, checks: readonly Check[]): PolicyCompilation {
  const r = new Reader();
  if (!isRecord(raw)) {
    r.error('', 'a SecurityPolicy must be an object');
    return { diagnostics: r.diagnostics };
  }
  if (raw['kind'] !== undefined && raw['kind'] !== POLICY_KIND) {
    r.error('kind', `must be ${POLICY_KIND} (got ${JSON.stringify(raw['kind'])})`);
  }
  if (raw['apiVersion'] !== undefined && raw['apiVersion'] !== POLICY_API_VERSION) {
    r.error('apiVersion', `must be ${POLICY_API_VERSION} (got ${JSON.stringify(raw['apiVersion'])})`);
  }
  const metadata = isRecord(raw['metadata']) ? raw['metadata'] : {};
  const name = typeof metadata['name'] === 'string' && metadata['name'] !== '' ? metadata['name'] : undefined;
  if (name === undefined) r.error('metadata.name', 'is required');
  const spec = raw['spec'] ?? {};
  if (!isRecord(spec)) {
    r.error('spec', 'must be an object');
    return { diagnostics: r.diagnostics };
  }

  const byId = new Map(checks.map((check) => [check.id, check]));

  // An absent list means every profile; an explicit empty list means none (then only
  // `checks:` and `rules:` entries run), so a policy can be built up from nothing.
  const profiles = new Set<Profile>(spec['profiles'] === undefined ? PROFILES : []);
  r.stringList(spec['profiles'], 'spec.profiles').forEach((profile, i) => {
    if ((PROFILES as readonly string[]).includes(profile)) profiles.add(profile as Profile);
    else
      r.error(
        `spec.profiles[${i}]`,
        `unknown profile "${profile}"${suggest(profile, PROFILES)}; known: ${PROFILES.join(', ')}`,
      );
  });

  let pinnedPodSecurityVersion: string | undefined;
  if (spec['podSecurity'] !== undefined) {
    const podSecurity = spec['podSecurity'];
    if (!isRecord(podSecurity)) r.error('spec.podSecurity', 'must be an object');
    else if (podSecurity['version'] !== undefined) {
      if (isPodSecurityVersion(podSecurity['version'])) pinnedPodSecurityVersion = podSecurity['version'];
      else
        r.error(
          'spec.podSecurity.version',
          `must be "latest" or "v1.N" (got ${JSON.stringify(podSecurity['version'])})`,
        );
    }
  }

  // Custom rules first, so that overrides and exceptions may name them.
  const custom: Check[] = [];
  const customSeverity = new Map<string, Severity>();
  r.list(spec['rules'], 'spec.rules').forEach((rule, i) => {
    const path = `spec.rules[${i}]`;
    if (!isRecord(rule)) return r.error(path, 'must be an object');
    const id = rule['id'];
    if (typeof id !== 'string' || !CHECK_ID_PATTERN.test(id)) {
      return r.error(
        `${path}.id`,
        'must be an ID of the form "prefix.name" in lower case, e.g. "acme.team-label"',
      );
    }
    if (byId.has(id))
      return r.error(`${path}.id`, `"${id}" is a built-in check; custom rules need their own ID`);
    if (custom.some((c) => c.id === id)) return r.error(`${path}.id`, `duplicate rule ID "${id}"`);
    const kinds = r.stringList(rule['kinds'], `${path}.kinds`);
    if (kinds.length === 0) r.error(`${path}.kinds`, 'must name at least one kind');
    if (typeof rule['expression'] !== 'string' || rule['expression'].trim() === '') {
      return r.error(`${path}.expression`, 'is required');
    }
    const severity = rule['severity'] ?? 'medium';
    if (!isSeverity(severity))
      return r.error(
        `${path}.severity`,
        `must be critical, high, medium or low (got ${JSON.stringify(severity)})`,
      );
    const title = r.optionalString(rule['title'], `${path}.title`);
    const message = r.optionalString(rule['message'], `${path}.message`);
    const remediation = r.optionalString(rule['remediation'], `${path}.remediation`);
    const compiled = compileCelRule(
      {
        id,
        kinds,
        expression: rule['expression'],
        severity,
        ...(title !== undefined ? { title } : {}),
        ...(message !== undefined ? { message } : {}),
        ...(remediation !== undefined ? { remediation } : {}),
      },
      path,
    );
    r.diagnostics.push(...compiled.diagnostics);
    if (compiled.check !== undefined) {
      custom.push(compiled.check);
      customSeverity.set(id, severity);
    }
  });

  const overrides = new Map<
    string,
    { enabled?: boolean; severity?: Severity; params: Record<string, ParamValue> }
  >();
  r.list(spec['checks'], 'spec.checks').forEach((entry, i) => {
    const path = `spec.checks[${i}]`;
    if (!isRecord(entry)) return r.error(path, 'must be an object');
    const id = entry['id'];
    if (typeof id !== 'string') return r.error(`${path}.id`, 'is required');
    const check = byId.get(id) ?? custom.find((c) => c.id === id);
    if (check === undefined) {
      return r.error(
        `${path}.id`,
        `unknown check ID "${id}"${suggest(id, [...byId.keys(), ...custom.map((c) => c.id)])}`,
      );
    }
    if (overrides.has(id)) return r.error(`${path}.id`, `"${id}" is listed twice`);
    const override: { enabled?: boolean; severity?: Severity; params: Record<string, ParamValue> } = {
      params: {},
    };
    if (entry['enabled'] !== undefined) {
      if (typeof entry['enabled'] === 'boolean') override.enabled = entry['enabled'];
      else r.error(`${path}.enabled`, 'must be true or false');
    }
    if (entry['severity'] !== undefined) {
      if (isSeverity(entry['severity'])) override.severity = entry['severity'];
      else
        r.error(
          `${path}.severity`,
          `must be critical, high, medium or low (got ${JSON.stringify(entry['severity'])})`,
        );
    }
    const params = entry['params'];
    if (params !== undefined && params !== null) {
      if (!isRecord(params)) r.error(`${path}.params`, 'must be an object');
      else
        for (const [key, value] of Object.entries(params)) {
          const paramSpec = check.params?.[key];
          if (paramSpec === undefined) {
            const known = Object.keys(check.params ?? {});
            r.error(
              `${path}.params.${key}`,
              `check ${id} has no parameter "${key}"${suggest(key, known)}${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`,
            );
          } else if (!paramMatches(paramSpec, value)) {
            r.error(
              `${path}.params.${key}`,
              `must be ${describeParam(paramSpec)} (got ${JSON.stringify(value)})`,
            );
          } else override.params[key] = value;
        }
    }
    overrides.set(id, override);
  });

  let namespaceSelector: LabelSelector | undefined;
  if (spec['namespaceSelector'] !== undefined && spec['namespaceSelector'] !== null) {
    const problems = validateSelector(spec['namespaceSelector'], 'spec.namespaceSelector');
    r.diagnostics.push(...problems);
    if (problems.length === 0) namespaceSelector = spec['namespaceSelector'] as LabelSelector;
  }
  const excludeNamespaces = r.stringList(spec['excludeNamespaces'], 'spec.excludeNamespaces');

  const knownIds = [...byId.keys(), ...custom.map((c) => c.id)];
  const exceptions: CompiledException[] = [];
  r.list(spec['exceptions'], 'spec.exceptions').forEach((entry, i) => {
    const path = `spec.exceptions[${i}]`;
    if (!isRecord(entry)) return r.error(path, 'must be an object');
    const exceptionChecks = r.stringList(entry['checks'], `${path}.checks`);
    if (exceptionChecks.length === 0) r.error(`${path}.checks`, 'must name at least one check ID or glob');
    exceptionChecks.forEach((pattern, j) => {
      if (!knownIds.some((id) => matchesAnyGlob([pattern], id))) {
        r.error(`${path}.checks[${j}]`, `"${pattern}" matches no check${suggest(pattern, knownIds)}`);
      }
    });
    const match = entry['match'] ?? {};
    if (!isRecord(match)) r.error(`${path}.match`, 'must be an object');
    const matchRecord = isRecord(match) ? match : {};
    const reason = entry['reason'];
    if (typeof reason !== 'string' || reason.trim() === '')
      r.error(`${path}.reason`, 'is required: say why the risk is accepted');
    const owner = r.optionalString(entry['owner'], `${path}.owner`);
    const ticket = r.optionalString(entry['ticket'], `${path}.ticket`);
    const expires = r.timestamp(entry['expires'], `${path}.expires`);
    exceptions.push({
      checks: exceptionChecks,
      kinds: r.stringList(matchRecord['kinds'], `${path}.match.kinds`),
      namespaces: r.stringList(matchRecord['namespaces'], `${path}.match.namespaces`),
      names: r.stringList(matchRecord['names'], `${path}.match.names`),
      reason: typeof reason === 'string' ? reason : '',
      ...(owner !== undefined ? { owner } : {}),
      ...(ticket !== undefined ? { ticket } : {}),
      ...(expires !== undefined ? { expires: expires.text, expiresAt: expires.ms } : {}),
    });
  });

  let baselineAcceptedAt: string | undefined;
  if (spec['baseline'] !== undefined && spec['baseline'] !== null) {
    if (!isRecord(spec['baseline'])) r.error('spec.baseline', 'must be an object');
    else baselineAcceptedAt = r.timestamp(spec['baseline']['acceptedAt'], 'spec.baseline.acceptedAt')?.text;
  }

  if (r.failed || name === undefined) return { diagnostics: r.diagnostics };

  const enabled: EnabledCheck[] = [];
  for (const check of [...checks, ...custom]) {
    const override = overrides.get(check.id);
    // Naming a check in `checks:` uses it (SPEC §2 enables an opt-in check by giving its
    // params) unless the entry says `enabled: false`.
    const onByProfile = check.category === 'custom' || check.profiles.some((p) => profiles.has(p));
    if (!(override?.enabled ?? (onByProfile || override !== undefined))) continue;
    enabled.push({
      check,
      severity: override?.severity ?? customSeverity.get(check.id) ?? check.severity,
      params: override?.params ?? {},
    });
  }
  const generation = metadata['generation'];
  const uid = metadata['uid'];
  return {
    policy: {
      name,
      ...(typeof generation === 'number' ? { generation } : {}),
      ...(typeof uid === 'string' ? { uid } : {}),
      checks: enabled,
      ...(pinnedPodSecurityVersion !== undefined ? { pinnedPodSecurityVersion } : {}),
      ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
      excludeNamespaces,
      exceptions,
      ...(baselineAcceptedAt !== undefined ? { baselineAcceptedAt } : {}),
    },
    diagnostics: r.diagnostics,
  };
}

/**
 * Whether a namespace is in the policy's scope. Namespaces the inventory has no object for
 * (manifests that name a namespace without defining it) have no labels to select on, so a
 * selector cannot exclude them; exclusions by name still apply.
 */
export function isNamespaceSelected(
  policy: CompiledPolicy,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (matchesAnyGlob(policy.excludeNamespaces, namespace)) return false;
  if (policy.namespaceSelector === undefined || labels === undefined) return true;
  // The API server labels every namespace with its own name; manifests often omit it.
  return matchesSelector(policy.namespaceSelector, { 'kubernetes.io/metadata.name': namespace, ...labels });
}

/**
 * The exception that matches a finding, as a waiver. A live exception wins over an expired
 * one; an expired match is still returned (marked expired) so the finding can say that an
 * exception existed and no longer applies.
 */
export function waiverFor(
  policy: CompiledPolicy,
  checkId: string,
  resource: ResourceRef,
  now: Date,
): Waiver | undefined {
  let expired: Waiver | undefined;
  for (const exception of policy.exceptions) {
    if (!matchesAnyGlob(exception.checks, checkId)) continue;
    if (exception.kinds.length > 0 && !exception.kinds.includes(resource.kind)) continue;
    if (exception.namespaces.length > 0 && !matchesAnyGlob(exception.namespaces, resource.namespace ?? ''))
      continue;
    if (exception.names.length > 0 && !matchesAnyGlob(exception.names, resource.name)) continue;
    const waiver: Waiver = {
      reason: exception.reason,
      ...(exception.owner !== undefined ? { owner: exception.owner } : {}),
      ...(exception.ticket !== undefined ? { ticket: exception.ticket } : {}),
      ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
      expired: exception.expiresAt !== undefined && exception.expiresAt <= now.getTime(),
    };
    if (!waiver.expired) return waiver;
    expired ??= waiver;
  }
  return expired;
}

/** Warnings for exceptions that have expired, so users see them stop applying. */
export function expiredExceptionDiagnostics(policy: CompiledPolicy, now: Date): Diagnostic[] {
  return policy.exceptions.flatMap((exception, i) =>
    exception.expiresAt !== undefined && exception.expiresAt <= now.getTime()
      ? [
          {
            severity: 'warning' as const,
            path: `spec.exceptions[${i}].expires`,
            message: `exception for ${exception.checks.join(', ')} expired at ${exception.expires}; it no longer applies`,
          },
        ]
      : [],
  );
}
