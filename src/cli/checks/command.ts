/**
 * `bulwark checks`: the catalogue, one line per check (ID, severity, category, profiles,
 * title), or in full as JSON or YAML for tooling, as kube-score generates README_CHECKS.md
 * from its registry. Filters narrow it to a profile, category or severity.
 */
import { dump } from 'js-yaml';
import type { Check } from '../../engine/check.js';
import { CATEGORIES, PROFILES, SEVERITIES } from '../../engine/types.js';
import { booleanOption, choice, parseCommandArgs, stringOption } from '../args.js';
import type { CliDeps, CliIo } from '../io.js';
import { EXIT_OK, UsageError } from '../io.js';

export const usage = `Usage: bulwark checks [options]

Lists the check catalogue: ID, default severity, category, the profiles that turn each
check on (opt-in checks run only when a policy's checks: entry enables them), and title.

Options:
  --format FORMAT      table (default), json or yaml (every field, parameters included)
  --profile PROFILE    only checks in this profile (${PROFILES.join(', ')})
  --category CATEGORY  only checks in this category (${CATEGORIES.join(', ')})
  --severity SEVERITY  only checks of this default severity
  -h, --help           show this help

'bulwark explain ID' shows one check in full.
`;

const FORMATS = ['table', 'json', 'yaml'] as const;

/** A check's metadata as plain data, in a fixed key order (also what `explain --format json` prints). */
export function checkDocument(check: Check): Record<string, unknown> {
  return {
    id: check.id,
    title: check.title,
    description: check.description,
    severity: check.severity,
    category: check.category,
    scope: check.scope,
    profiles: [...check.profiles],
    kinds: [...check.kinds],
    frameworks: check.frameworks.map((f) => ({ framework: f.framework, control: f.control })),
    remediation: check.remediation,
    params: Object.fromEntries(Object.entries(check.params ?? {}).map(([name, spec]) => [name, { ...spec }])),
    supersedes: [...(check.supersedes ?? [])],
  };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

export async function run(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const parsed = parseCommandArgs(args, {
    format: { type: 'string' },
    profile: { type: 'string' },
    category: { type: 'string' },
    severity: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (booleanOption(parsed, 'help')) {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"; did you mean 'bulwark explain ${parsed.positionals[0]}'?`);
  const format = choice('format', stringOption(parsed, 'format') ?? 'table', FORMATS);
  const profile = stringOption(parsed, 'profile');
  const category = stringOption(parsed, 'category');
  const severity = stringOption(parsed, 'severity');
  if (profile !== undefined) choice('profile', profile, PROFILES);
  if (category !== undefined) choice('category', category, CATEGORIES);
  if (severity !== undefined) choice('severity', severity, SEVERITIES);

  const checks = [...(await deps.loadChecks())]
    .filter((c) => profile === undefined || (c.profiles as readonly string[]).includes(profile))
    .filter((c) => category === undefined || c.category === category)
    .filter((c) => severity === undefined || c.severity === severity)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  if (format === 'json') io.stdout.write(`${JSON.stringify(checks.map(checkDocument), null, 2)}\n`);
  else if (format === 'yaml') io.stdout.write(dump(checks.map(checkDocument), { lineWidth: -1, noRefs: true }));
  else {
    const rows = [
      ['ID', 'SEVERITY', 'CATEGORY', 'PROFILES', 'TITLE'],
      ...checks.map((c) => [c.id, c.severity, c.category, c.profiles.length > 0 ? c.profiles.join(',') : '(opt-in)', c.title]),
    ];
    io.stdout.write(`${table(rows)}\n\n${checks.length} check${checks.length === 1 ? '' : 's'}; 'bulwark explain ID' shows one in full.\n`);
  }
  return EXIT_OK;
}
