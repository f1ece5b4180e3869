/**
 * `bulwark scan PATH... | -`: the offline scanner. Reads manifests, evaluates them with the
 * policy from `--policy` (or every profile when there is none) exactly as the controller
 * would, and writes the report in the chosen format.
 *
 * Exit codes, for CI gating: 0 when nothing active is at or above `--fail-on`; 1 when
 * something is; 2 for a usage error or any input error (unreadable file, malformed
 * document, object without kind or name, invalid policy). Input errors are named on stderr
 * by file, document and line, the rest is still scanned and the report still written, so
 * one broken file never hides the findings in the others; as with kubeconform and
 * kube-score, unreadable input alone fails the run.
 *
 * `--fail-on` defaults to `high`: critical and high findings fail the build, medium and low
 * are reported. That matches what kube-score users get by default (only CRITICAL fails,
 * and our critical+high are its CRITICAL) while catching more than Polaris' opt-in danger
 * exit code; `--fail-on none` reports without gating.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { KubeObject } from '../../engine/objects.js';
import { kindKeyOf, nameOf, namespaceOf } from '../../engine/objects.js';
import { evaluate } from '../../engine/evaluate.js';
import { Inventory } from '../../engine/inventory.js';
import type { CompiledPolicy } from '../../engine/policy.js';
import { defaultPolicy } from '../../engine/policy.js';
import type { Diagnostic, Finding, Severity } from '../../engine/types.js';
import { SEVERITIES } from '../../engine/types.js';
import type { LoadResult, ManifestSource } from '../../manifests/load.js';
import { loadManifests, sourceKey } from '../../manifests/load.js';
import type { Format } from '../../report/index.js';
import { FORMATS, renderReportChunks } from '../../report/index.js';
import type { ReportLocation, ScanReport } from '../../report/model.js';
import { buildReport, countAtOrAbove } from '../../report/model.js';
import { booleanOption, choice, parseCommandArgs, stringOption } from '../args.js';
import type { CliDeps, CliIo } from '../io.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError, wantsColor } from '../io.js';
import { createProgress, formatBytes } from '../progress.js';
import { POD_CHECK_WORKER, runPodChecksOnReadingThreads } from './pod-check-offload.js';
import { readPolicyFile } from './policy-file.js';

export const FAIL_ON_LEVELS = [...SEVERITIES, 'none'] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];
export const DEFAULT_FAIL_ON: FailOn = 'high';
// Enough to see what is wrong; the JSON, YAML, SARIF and JUnit reports carry every one.
const MAX_DIAGNOSTICS_SHOWN = 50;

export const usage = `Usage: bulwark scan [options] PATH... | -

Scans Kubernetes manifests: files, folders (recursively: *.yaml, *.yml, *.json; hidden
entries and node_modules skipped) or - for stdin. Reads multi-document YAML, JSON and
List objects, and the pod templates of every workload kind.

Options:
  --policy FILE        SecurityPolicy to apply (default: every profile, default settings)
  --format FORMAT      table (default), json, yaml, sarif or junit
  --output FILE        write the report to FILE instead of stdout
  --fail-on SEVERITY   exit 1 when an active finding is at or above SEVERITY:
                       critical, high (default), medium, low, or none to never fail
  --show-waived        list findings waived by a policy exception in the table
  --no-color           no colours (also when NO_COLOR is set or output is not a terminal)
  --color              colours even when output is not a terminal
  -h, --help           show this help

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error or
input that could not be read (named on stderr; the rest is still scanned and reported).

Environment: BULWARK_SCAN_THREADS sets how many threads read manifests and run the pod
checks on inputs of 4 MiB or more (default: one per core up to 4 on machines with 3 cores
or more, else 1).

Examples:
  bulwark scan examples/
  bulwark scan deploy/ --policy policy.yaml --format sarif --output bulwark.sarif
  kustomize build overlays/prod | bulwark scan - --fail-on critical
`;

interface ScanOptions {
  readonly paths: readonly string[];
  readonly policy?: string;
  readonly format: Format;
  readonly output?: string;
  readonly failOn: FailOn;
  readonly showWaived: boolean;
  readonly color: boolean | undefined;
}

function parseScanArgs(args: readonly string[]): ScanOptions | 'help' {
  const parsed = parseCommandArgs(args, {
    policy: { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string' },
    'fail-on': { type: 'string' },
    'show-waived': { type: 'boolean' },
    'no-color': { type: 'boolean' },
    color: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (booleanOption(parsed, 'help')) return 'help';
  if (parsed.positionals.length === 0)
    throw new UsageError('no PATH given: name files or folders to scan, or - for stdin');
  const policy = stringOption(parsed, 'policy');
  const output = stringOption(parsed, 'output');
  const noColor = booleanOption(parsed, 'no-color');
  const forceColor = booleanOption(parsed, 'color');
  if (noColor && forceColor) throw new UsageError('--color and --no-color contradict each other');
  return {
    paths: parsed.positionals,
    ...(policy !== undefined ? { policy } : {}),
    ...(output !== undefined ? { output } : {}),
    format: choice('format', stringOption(parsed, 'format') ?? 'table', FORMATS),
    failOn: choice('fail-on', stringOption(parsed, 'fail-on') ?? DEFAULT_FAIL_ON, FAIL_ON_LEVELS),
    showWaived: booleanOption(parsed, 'show-waived'),
    color: noColor ? false : forceColor ? true : undefined,
  };
}

/** Where the scan's objects were read from, and the document keys findings carry. */
class ScanSources {
  /** Each object's source. */
  readonly of = new Map<KubeObject, ManifestSource>();
  /** The sources named by a key so far (`file#document`), for findings to be located by. */
  private readonly byKey = new Map<string, ManifestSource>();
  private readonly locations = new Map<ManifestSource, ReportLocation>();

  /**
   * The key of the object's document, as the engine puts it on findings. Made when the
   * engine asks, for the objects with something recorded, not up front for every object.
   */
  keyOf(object: KubeObject): string | undefined {
    const source = this.of.get(object);
    if (source === undefined) return undefined;
    const key = sourceKey(source);
    this.byKey.set(key, source);
    return key;
  }

  /** A source named by keyOf. */
  named(key: string): ManifestSource | undefined {
    return this.byKey.get(key);
  }

  /** The report location of a source: one object per document, shared by its findings. */
  location(source: ManifestSource): ReportLocation {
    let location = this.locations.get(source);
    if (location === undefined) {
      location = { file: source.file, line: source.line, document: source.document };
      this.locations.set(source, location);
    }
    return location;
  }
}

/**
 * Points each finding at a manifest: the document of the object it is about, else of the
 * resource it names (an owner, a Namespace), else of any object in its namespace, so that
 * every SARIF result has the location GitHub requires.
 */
function createLocator(
  loaded: LoadResult,
  inventory: Inventory,
  sources: ScanSources,
): (finding: Finding) => ReportLocation | undefined {
  // Needed only for findings about something no manifest defines; made on first use.
  let byNamespace: Map<string, ManifestSource> | undefined;
  const inNamespace = (namespace: string): ManifestSource | undefined => {
    if (byNamespace === undefined) {
      byNamespace = new Map();
      for (const { object, source } of loaded.objects) {
        const isNamespace = object.kind === 'Namespace';
        const ns = isNamespace ? nameOf(object) : namespaceOf(object);
        if (ns !== undefined && (isNamespace || !byNamespace.has(ns))) byNamespace.set(ns, source);
      }
    }
    return byNamespace.get(namespace);
  };
  return (finding) => {
    const { resource } = finding;
    let source = finding.source !== undefined ? sources.named(finding.source) : undefined;
    if (source === undefined) {
      const object = inventory.get(kindKeyOf(resource), resource.namespace, resource.name);
      source = object !== undefined ? sources.of.get(object) : undefined;
    }
    source ??= inNamespace(resource.namespace ?? (resource.kind === 'Namespace' ? resource.name : ''));
    return source === undefined ? undefined : sources.location(source);
  };
}

/** Builds the inventory; a second definition of the same object replaces the first, as `kubectl apply` would, with a warning. */
function buildInventory(
  loaded: LoadResult,
  diagnostics: Diagnostic[],
): { inventory: Inventory; sources: ScanSources } {
  const inventory = new Inventory();
  const sources = new ScanSources();
  for (const { object, source } of loaded.objects) {
    const namespace = namespaceOf(object);
    const earlier = inventory.get(kindKeyOf(object), namespace, nameOf(object));
    const earlierSource = earlier !== undefined ? sources.of.get(earlier) : undefined;
    if (earlierSource !== undefined) {
      const where = namespace !== undefined ? ` in namespace ${namespace}` : '';
      diagnostics.push({
        severity: 'warning',
        path: sourceKey(source),
        message: `line ${source.line}: ${String(object.kind)} ${nameOf(object)}${where} is defined again (first at ${earlierSource.file}:${earlierSource.line}); the last definition is scanned`,
      });
    }
    inventory.upsert(object);
    sources.of.set(object, source);
  }
  return { inventory, sources };
}

// Past a few threads, joining the parts and the work left to this thread dominate.
const MAX_THREADS = 4;
// On two cores one scanning thread already keeps both busy (V8 collects garbage and compiles
// on the other); a second one only added work (its own compiling, copying the parts): the
// 10k bench set took ~20 % longer with two threads than with one on a 2-core machine.
const MIN_CORES_FOR_THREADS = 3;
const THREADS_VARIABLE = 'BULWARK_SCAN_THREADS';

/**
 * Threads that read manifests and run pod checks: with three cores or more one per core up
 * to MAX_THREADS, else one; or what BULWARK_SCAN_THREADS says (1 keeps a scan on one thread).
 */
function readingThreads(env: CliIo['env']): number {
  const asked = env[THREADS_VARIABLE];
  if (asked !== undefined && asked !== '') {
    const threads = Number(asked);
    if (!Number.isInteger(threads) || threads < 1)
      throw new UsageError(
        `${THREADS_VARIABLE} must be a whole number of threads, 1 or more (got "${asked}")`,
      );
    return threads;
  }
  const cores = availableParallelism();
  return cores < MIN_CORES_FOR_THREADS ? 1 : Math.min(cores, MAX_THREADS);
}

function writeErrorText(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'code' in error) {
    if (error.code === 'ENOENT') return 'no such directory';
    if (error.code === 'EACCES' || error.code === 'EPERM') return 'permission denied';
    if (error.code === 'EISDIR') return 'is a directory';
  }
  return error instanceof Error ? error.message : String(error);
}

function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  const color = wantsColor(io.stderr, io.env);
  const label = (severity: Diagnostic['severity']): string =>
    color ? (severity === 'error' ? '\u001b[31merror\u001b[0m' : '\u001b[33mwarning\u001b[0m') : severity;
  const shown = diagnostics.slice(0, MAX_DIAGNOSTICS_SHOWN);
  for (const d of shown) io.stderr.write(`${label(d.severity)}: ${d.path}: ${d.message}\n`);
  if (diagnostics.length > shown.length) {
    io.stderr.write(
      `... and ${diagnostics.length - shown.length} more (every one is in the json, yaml, sarif and junit reports)\n`,
    );
  }
}

export async function run(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const options = parseScanArgs(args);
  if (options === 'help') {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  const checks = await deps.loadChecks();

  let policy: CompiledPolicy;
  let policyDocument: Readonly<Record<string, unknown>> | undefined;
  const diagnostics: Diagnostic[] = [];
  if (options.policy !== undefined) {
    const file = await readPolicyFile(options.policy, io.cwd, checks);
    if (file.policy === undefined) {
      printDiagnostics(io, file.diagnostics);
      io.stderr.write(`bulwark scan: the policy in ${options.policy} is not valid; nothing was scanned\n`);
      return EXIT_ERROR;
    }
    policy = file.policy;
    policyDocument = file.document;
    diagnostics.push(...file.diagnostics);
  } else {
    policy = defaultPolicy(checks);
  }

  const progress = createProgress(io.stderr, true);
  const loaded = await loadManifests(options.paths, {
    cwd: io.cwd,
    threads: readingThreads(io.env),
    continueIn: POD_CHECK_WORKER,
    ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
    onProgress: (p) =>
      progress.update(
        () =>
          `reading manifests: ${p.filesDone}/${p.filesTotal} files, ${p.documents.toLocaleString('en-US')} documents, ${formatBytes(p.bytes)}`,
      ),
  });
  diagnostics.push(...loaded.diagnostics);
  progress.update(() => `evaluating ${loaded.objects.length.toLocaleString('en-US')} objects`);
  const { inventory, sources } = buildInventory(loaded, diagnostics);
  const podOutcomes = await runPodChecksOnReadingThreads(loaded, inventory, policy, policyDocument);
  const evaluation = evaluate(inventory, policy, {
    now: io.now(),
    sourceOf: (obj) => sources.keyOf(obj),
    ...(podOutcomes !== undefined ? { podOutcomes } : {}),
  });
  diagnostics.push(...evaluation.diagnostics);
  progress.clear();

  const report: ScanReport = buildReport({
    tool: { name: 'bulwark', version: deps.version },
    policy: policy.name,
    now: io.now(),
    inputs: { files: loaded.files, documents: loaded.documents, objects: loaded.objects.length },
    findings: evaluation.findings,
    tallies: evaluation.tallies,
    diagnostics,
    rules: policy.checks.map((enabled) => ({ check: enabled.check, severity: enabled.severity })),
    locate: createLocator(loaded, inventory, sources),
    ...(loaded.objects[0] !== undefined
      ? { defaultLocation: { file: loaded.objects[0].source.file, line: 1 } }
      : {}),
  });

  printDiagnostics(io, diagnostics);
  if (options.policy === undefined && loaded.policies.length > 0) {
    const listed = loaded.policies
      .map((p) => `${String(p.object.metadata?.name)} (${p.source.file}:${p.source.line})`)
      .join(', ');
    io.stderr.write(
      `note: the manifests hold SecurityPolicy ${listed}; it is not applied unless passed with --policy\n`,
    );
  }

  const toFile = options.output !== undefined;
  const color = options.color ?? (!toFile && wantsColor(io.stdout, io.env));
  const chunks = renderReportChunks(options.format, report, { color, showWaived: options.showWaived });
  try {
    await io.writeOutput(options.output === undefined ? undefined : resolve(io.cwd, options.output), chunks);
  } catch (error) {
    io.stderr.write(
      `bulwark scan: cannot write ${options.output ?? 'the report'}: ${writeErrorText(error)}\n`,
    );
    return EXIT_ERROR;
  }

  if (report.summary.inputErrors > 0) return EXIT_ERROR;
  if (options.failOn !== 'none' && countAtOrAbove(report, options.failOn as Severity) > 0)
    return EXIT_FINDINGS;
  return EXIT_OK;
}
