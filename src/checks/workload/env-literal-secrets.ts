/**
 * Credentials never sit in a pod spec as literal environment values: anyone who can read the
 * Deployment (or its manifest in git) can read them, and they show in `kubectl describe`.
 * Read: `env[].name` and whether `env[].value` is a non-empty literal, on init, regular and
 * ephemeral containers; values from `valueFrom` (a Secret reference) pass. A variable is
 * suspect when its name, upper-cased with `-` and `.` read as `_`, matches one of the
 * `namePatterns` globs and none of the `ignoreNamePatterns` globs (which let `*_FILE` and
 * `*_PATH` variables, the recommended way to point at a mounted secret, through). Values
 * that only reference other variables (`$(DB_PASSWORD)`) or are plainly flags (`true`,
 * `false`) pass. A message names the variable, never its value: a report never holds secrets.
 */
import type { PodCheck } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import { matchesAnyGlob } from '../../engine/glob.js';
import { isRecord } from '../../engine/objects.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { ContainerRef, Problem } from './container-verdicts.js';
import { judgeContainers, malformed, violation } from './container-verdicts.js';

const DEFAULT_NAME_PATTERNS: readonly string[] = [
  '*PASSWORD*',
  '*PASSWD*',
  '*PASSPHRASE*',
  // Whole words only, so TOKENIZER_MODEL and SECRETARY_EMAIL are not credentials.
  '*SECRET',
  '*SECRET_*',
  '*TOKEN',
  '*TOKEN_*',
  '*API_KEY*',
  '*APIKEY*',
  '*ACCESS_KEY*',
  '*PRIVATE_KEY*',
  '*SIGNING_KEY*',
  '*ENCRYPTION_KEY*',
  '*CREDENTIAL*',
];

// Names that point at a credential or describe one without holding it.
const DEFAULT_IGNORED_PATTERNS: readonly string[] = [
  '*_FILE',
  '*_PATH',
  '*_DIR',
  '*_URL',
  '*_NAME',
  '*_ID',
  '*_TTL',
  '*_TIMEOUT',
  '*_EXPIRY',
  '*_ENABLED',
];

// `$(VAR)` expands another variable, typically one filled from a Secret.
const ONLY_REFERENCES = /^(?:\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$/;
const FLAG_VALUES: ReadonlySet<string> = new Set([
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'enabled',
  'disabled',
]);
const MAX_NAMES = 5;

interface Patterns {
  readonly names: readonly string[];
  readonly ignored: readonly string[];
}

function normalizeName(name: string): string {
  return name.toUpperCase().replace(/[-.]/g, '_');
}

/**
 * Whether a literal value could hold a credential. The controller's cache keeps only values
 * that cannot (empty, `$(VAR)` references, flag words) and redacts the rest, so this check
 * gives the same verdict on a live pod as on its manifest.
 */
export function isLiteralCredential(value: string): boolean {
  const trimmed = value.trim();
  return trimmed !== '' && !ONLY_REFERENCES.test(trimmed) && !FLAG_VALUES.has(trimmed.toLowerCase());
}

/**
 * The upper-cased patterns of one pair of parameter values, and the verdict on each variable
 * name already judged against them: a scan meets the same few hundred names (`DB_PASSWORD`,
 * `LOG_LEVEL`) in thousands of pods, and each verdict is up to 24 regular-expression tests.
 */
interface Matcher {
  readonly patterns: Patterns;
  readonly verdicts: Map<string, boolean>;
}

const MATCHERS = new WeakMap<object, WeakMap<object, Matcher>>();
const VERDICTS_KEPT = 10_000;

function matcherFor(names: unknown, ignored: unknown): Matcher {
  const make = (): Matcher => ({
    patterns: { names: upperStrings(names), ignored: upperStrings(ignored) },
    verdicts: new Map(),
  });
  // Parameter values are the policy's own (or the defaults), the same objects for a whole evaluation.
  if (typeof names !== 'object' || names === null || typeof ignored !== 'object' || ignored === null)
    return make();
  let byIgnored = MATCHERS.get(names);
  if (byIgnored === undefined) {
    byIgnored = new WeakMap();
    MATCHERS.set(names, byIgnored);
  }
  let matcher = byIgnored.get(ignored);
  if (matcher === undefined) {
    matcher = make();
    byIgnored.set(ignored, matcher);
  }
  return matcher;
}

/** Whether a variable's name marks a credential under the patterns. */
function isCredentialName(name: string, matcher: Matcher): boolean {
  let verdict = matcher.verdicts.get(name);
  if (verdict === undefined) {
    const normalized = normalizeName(name);
    const { names, ignored } = matcher.patterns;
    verdict = matchesAnyGlob(names, normalized) && !matchesAnyGlob(ignored, normalized);
    if (matcher.verdicts.size >= VERDICTS_KEPT) matcher.verdicts.clear();
    matcher.verdicts.set(name, verdict);
  }
  return verdict;
}

function judge(ref: ContainerRef, matcher: Matcher): Problem | undefined {
  const env: unknown = ref.container.env;
  if (env === undefined || env === null) return undefined;
  if (!Array.isArray(env)) return malformed(`${ref.label}: env is not a list`);
  const names: string[] = [];
  for (const variable of env as unknown[]) {
    if (!isRecord(variable)) continue;
    const name = variable['name'];
    const value = variable['value'];
    if (typeof name !== 'string' || typeof value !== 'string' || !isLiteralCredential(value)) continue;
    if (isCredentialName(name, matcher)) names.push(name);
  }
  if (names.length === 0) return undefined;
  const shown = names.slice(0, MAX_NAMES).join(', ');
  const more = names.length > MAX_NAMES ? ` and ${names.length - MAX_NAMES} more` : '';
  return violation(
    names.length === 1
      ? `${ref.label} sets ${shown} as a literal value`
      : `${ref.label} sets ${shown}${more} as literal values`,
  );
}

function upperStrings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((entry): entry is string => typeof entry === 'string').map((entry) => entry.toUpperCase())
    : [];
}

export const check: PodCheck = {
  id: 'workload.env-literal-secrets',
  title: 'No credentials as literal environment values',
  description:
    'A password, token or key written as a literal env value is readable by anyone who can read the workload or its ' +
    'manifest, and ends up in git and in kubectl output. Variables whose names look like credentials must come from ' +
    'a Secret (valueFrom.secretKeyRef) or a mounted file.',
  severity: 'high',
  category: 'workload',
  profiles: ['workloads'],
  kinds: POD_KINDS,
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation: secrets' }],
  remediation:
    'Move the value into a Secret and reference it with env[].valueFrom.secretKeyRef, or better mount the Secret as ' +
    'a file and point the application at it (for example DB_PASSWORD_FILE); then rotate the exposed credential.',
  params: {
    namePatterns: {
      type: 'string[]',
      description:
        'Globs (* and ?) over variable names, upper-cased with - and . read as _, that mark a credential.',
      default: DEFAULT_NAME_PATTERNS,
    },
    ignoreNamePatterns: {
      type: 'string[]',
      description:
        'Globs for names that match namePatterns but hold no credential (paths, URLs, identifiers).',
      default: DEFAULT_IGNORED_PATTERNS,
    },
  },
  scope: 'pod',
  evaluate(pod, ctx) {
    const matcher = matcherFor(param(ctx, check, 'namePatterns'), param(ctx, check, 'ignoreNamePatterns'));
    return judgeContainers(pod, { fail: 'LiteralCredential', error: 'InvalidEnv' }, (ref) =>
      judge(ref, matcher),
    );
  },
};
