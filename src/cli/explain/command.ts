/**
 * `bulwark explain ID`: one check in full — what it requires and why, its scope and the
 * kinds it reads, the profiles that enable it, framework controls, parameters with their
 * schema and defaults, remediation, and the checks it supersedes. A profile name lists
 * the profile's checks, and `cel` describes custom rules and the CEL functions they may
 * call. An unknown ID is a usage error with the nearest known ID suggested.
 */
import { CEL_SUPPORTED_FUNCTIONS } from '../../checks/custom/cel-rule.js';
import type { Check, ParamSpec } from '../../engine/check.js';
import { suggest } from '../../engine/policy.js';
import { PROFILES } from '../../engine/types.js';
import { CHECK_DOCS_URL } from '../../report/sarif.js';
import { booleanOption, choice, parseCommandArgs, stringOption } from '../args.js';
import { checkDocument } from '../checks/command.js';
import type { CliDeps, CliIo } from '../io.js';
import { EXIT_OK, UsageError } from '../io.js';

export const usage = `Usage: bulwark explain [options] ID | PROFILE | cel

Shows one check in full: description, severity, category, scope, the kinds it reads,
profiles, framework controls (PSS, CIS, NSA-CISA), parameters with their schema and
defaults, remediation, and the checks it supersedes. A profile name lists its checks;
'cel' describes custom rules written in CEL.

Options:
  --format FORMAT   text (default) or json
  -h, --help        show this help
`;

const WIDTH = 88;

/** Wraps prose at word boundaries, indenting every line. */
function wrap(text: string, indent = '  '): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
        lines.push(indent + line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(indent + line);
  }
  return lines.join('\n');
}

function describeParam(name: string, spec: ParamSpec): string {
  const details: string[] = [spec.type];
  if (spec.type === 'string' && spec.enum !== undefined) details.push(`one of ${spec.enum.join(', ')}`);
  if (spec.type === 'number' && spec.minimum !== undefined) details.push(`>= ${spec.minimum}`);
  if (spec.type === 'number' && spec.maximum !== undefined) details.push(`<= ${spec.maximum}`);
  details.push(spec.default !== undefined ? `default ${JSON.stringify(spec.default)}` : 'no default');
  return `  ${name} (${details.join(', ')})\n${wrap(spec.description, '      ')}`;
}

export function explainCheck(check: Check): string {
  const out = [
    `${check.id}: ${check.title}`,
    '',
    wrap(check.description),
    '',
    `  Severity:     ${check.severity}`,
    `  Category:     ${check.category}`,
    `  Scope:        ${check.scope}`,
    `  Reads:        ${check.kinds.join(', ')}`,
    `  Profiles:     ${check.profiles.length > 0 ? check.profiles.join(', ') : 'none (opt-in: enable it with a policy checks: entry)'}`,
    `  Controls:     ${check.frameworks.length > 0 ? check.frameworks.map((f) => `${f.framework} ${f.control}`).join('; ') : 'none'}`,
  ];
  if ((check.supersedes ?? []).length > 0) out.push(`  Supersedes:   ${(check.supersedes ?? []).join(', ')}`);
  const params = Object.entries(check.params ?? {});
  out.push('', 'Parameters:', ...(params.length > 0 ? params.map(([name, spec]) => describeParam(name, spec)) : ['  none']));
  out.push('', 'Remediation:', wrap(check.remediation));
  if (params.length > 0) {
    const [first] = params;
    out.push(
      '',
      'In a SecurityPolicy:',
      '  spec:',
      '    checks:',
      `      - id: ${check.id}`,
      ...(check.profiles.length === 0 ? ['        enabled: true'] : []),
      `        params: {${first?.[0] ?? ''}: ${JSON.stringify(first?.[1].default ?? '...')}}`,
    );
  }
  out.push('', `Documentation: ${CHECK_DOCS_URL}${check.id}`);
  return `${out.join('\n')}\n`;
}

function explainProfile(profile: string, checks: readonly Check[]): string {
  const members = checks.filter((c) => (c.profiles as readonly string[]).includes(profile)).sort((a, b) => (a.id < b.id ? -1 : 1));
  const width = Math.max(0, ...members.map((c) => c.id.length));
  return `Profile ${profile}: ${members.length} check${members.length === 1 ? '' : 's'}\n\n${members
    .map((c) => `  ${c.id.padEnd(width)}  ${c.severity.padEnd(8)}  ${c.title}`)
    .join('\n')}\n`;
}

const CEL_HELP = `Custom rules (spec.rules in a SecurityPolicy) are checks written in CEL, the expression
language of Kubernetes' ValidatingAdmissionPolicy. A rule names the kinds it applies to and
an expression that is true for a compliant object:

  spec:
    rules:
      - id: acme.team-label
        kinds: [Pod, Deployment]
        expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
        message: every workload carries a team label
        severity: low

Variables: object (the object), namespaceObject (its Namespace, or null when unknown).
An expression that fails to evaluate on an object gives an undecided finding naming the
rule, never a pass.

Functions: ${CEL_SUPPORTED_FUNCTIONS}.
`;

export async function run(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const parsed = parseCommandArgs(args, { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (booleanOption(parsed, 'help')) {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  const format = choice('format', stringOption(parsed, 'format') ?? 'text', ['text', 'json'] as const);
  if (parsed.positionals.length !== 1) throw new UsageError('name one check ID (see bulwark checks)');
  const id = parsed.positionals[0] ?? '';
  const checks = await deps.loadChecks();
  const check = checks.find((c) => c.id === id);
  if (check !== undefined) {
    io.stdout.write(format === 'json' ? `${JSON.stringify(checkDocument(check), null, 2)}\n` : explainCheck(check));
    return EXIT_OK;
  }
  if ((PROFILES as readonly string[]).includes(id)) {
    io.stdout.write(
      format === 'json'
        ? `${JSON.stringify(checks.filter((c) => (c.profiles as readonly string[]).includes(id)).map((c) => c.id).sort(), null, 2)}\n`
        : explainProfile(id, checks),
    );
    return EXIT_OK;
  }
  if (id === 'cel' || id === 'rules') {
    io.stdout.write(format === 'json' ? `${JSON.stringify({ functions: CEL_SUPPORTED_FUNCTIONS }, null, 2)}\n` : CEL_HELP);
    return EXIT_OK;
  }
  throw new UsageError(`unknown check "${id}"${suggest(id, [...checks.map((c) => c.id), ...PROFILES])}; 'bulwark checks' lists them`);
}
