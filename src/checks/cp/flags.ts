/**
 * Reading a control-plane component's settings from its static pod, the way the component
 * itself reads its command line. kube-apiserver parses flags with pflag and etcd with Go's
 * `flag` package; both accept `--name=value` and, for flags that take a value,
 * `--name value`; a boolean flag alone means true and never takes the next word (so
 * `--profiling false` is `--profiling=true` plus a stray argument, which both components
 * refuse at start-up). The last occurrence wins, except for list flags such as
 * `--authorization-mode`, which accumulate. etcd also reads `ETCD_*` environment variables
 * for flags not given on the command line, and ignores both when `--config-file` is set.
 */
import type { KubeObject } from '../../engine/objects.js';
import { asArray, isRecord, labelsOf, nameOf, namespaceOf } from '../../engine/objects.js';
import type { CheckOutcome } from '../../engine/types.js';
import { checkError, skip } from '../../engine/types.js';

export type ControlPlaneComponent = 'kube-apiserver' | 'etcd';

const CONTROL_PLANE_NAMESPACE = 'kube-system';
const TIER_LABEL = 'tier';
const CONTROL_PLANE_TIER = 'control-plane';
const COMPONENT_LABEL = 'component';
const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'ash', 'dash', 'busybox']);
const SHELL_SEPARATORS: ReadonlySet<string> = new Set([';', '&&', '||', '|', '&']);

/** Flags that take no value: a bare `--name` is true, and the next word is not consumed. */
const BOOLEAN_FLAGS: Readonly<Record<ControlPlaneComponent, ReadonlySet<string>>> = {
  'kube-apiserver': new Set([
    'add-dir-header',
    'allow-privileged',
    'alsologtostderr',
    'anonymous-auth',
    'audit-log-batch-throttle-enable',
    'audit-log-compress',
    'audit-log-truncate-enabled',
    'audit-webhook-batch-throttle-enable',
    'audit-webhook-truncate-enabled',
    'contention-profiling',
    'disable-http2-serving',
    'enable-aggregator-routing',
    'enable-bootstrap-token-auth',
    'enable-garbage-collector',
    'enable-logs-handler',
    'enable-priority-and-fairness',
    'help',
    'logtostderr',
    'one-output',
    'permit-address-sharing',
    'permit-port-sharing',
    'profiling',
    'service-account-extend-token-expiration',
    'service-account-lookup',
    'skip-headers',
    'skip-log-headers',
    'version',
    'watch-cache',
  ]),
  etcd: new Set([
    'auto-tls',
    'client-cert-auth',
    'debug',
    'enable-grpc-gateway',
    'enable-log-rotation',
    'enable-pprof',
    'enable-v2',
    'experimental-enable-distributed-tracing',
    'experimental-enable-lease-checkpoint',
    'experimental-initial-corrupt-check',
    'experimental-memory-mlock',
    'experimental-stop-grpc-service-on-defrag',
    'force-new-cluster',
    'help',
    'peer-auto-tls',
    'peer-client-cert-auth',
    'peer-skip-client-san-verification',
    'socket-reuse-address',
    'socket-reuse-port',
    'strict-reconfig-check',
    'unsafe-no-fsync',
    'version',
  ]),
};

/** The settings of one component, as it would read them. */
export interface CommandLine {
  readonly component: ControlPlaneComponent;
  /** The effective value of a flag: the last one given, or (etcd) its environment variable. */
  value(name: string): string | undefined;
  /** Every value given for a list flag, split on commas: `--x=a,b --x=c` is [a, b, c]. */
  list(name: string): string[];
}

export type CommandLineRead =
  { readonly ok: true; readonly flags: CommandLine } | { readonly ok: false; readonly outcome: CheckOutcome };

/**
 * Whether a Pod is the static pod of a control-plane component, as kubeadm and similar
 * installers lay them out: in kube-system, labelled `tier: control-plane`, and either
 * labelled `component: <name>` or, without a component label, named `<name>` or
 * `<name>-<node>` (the mirror pod's name).
 */
export function isControlPlanePod(obj: KubeObject, component: ControlPlaneComponent): boolean {
  if (obj.kind !== 'Pod' || namespaceOf(obj) !== CONTROL_PLANE_NAMESPACE) return false;
  const labels = labelsOf(obj);
  if (labels[TIER_LABEL] !== CONTROL_PLANE_TIER) return false;
  const label = labels[COMPONENT_LABEL];
  if (label !== undefined) return label === component;
  const name = nameOf(obj);
  return name === component || name.startsWith(`${component}-`);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function stringList(value: unknown, field: string): string[] | string {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return `${field} is not a list`;
  const out: string[] = [];
  for (const [index, entry] of (value as unknown[]).entries()) {
    if (typeof entry !== 'string') return `${field}[${index}] is not a string`;
    out.push(entry);
  }
  return out;
}

/** Splits a `sh -c` script into words: enough for `exec kube-apiserver --a=b ...`, not a shell. */
function shellWords(script: string): string[] {
  const words: string[] = [];
  for (const match of script.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g))
    words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/** The words after the program name that the component parses as its command line. */
function argumentsOf(
  command: readonly string[],
  args: readonly string[],
  component: ControlPlaneComponent,
): string[] {
  const program = command[0];
  if (program === undefined) return [...args];
  if (SHELLS.has(basename(program)) && command[1] !== undefined && /^-\w*c\w*$/.test(command[1])) {
    const words = shellWords(command[2] ?? args[0] ?? '');
    const start = words.findIndex((word) => basename(word) === component);
    if (start < 0) return [];
    const end = words.findIndex((word, index) => index > start && SHELL_SEPARATORS.has(word));
    return words.slice(start + 1, end < 0 ? undefined : end);
  }
  return program.startsWith('-') ? [...command, ...args] : [...command.slice(1), ...args];
}

function looksLikeFlag(word: string): boolean {
  return /^--?[A-Za-z]/.test(word);
}

/** Parses flags as pflag and Go's flag package do; a stray or incomplete argument is a problem. */
function parseFlags(
  words: readonly string[],
  component: ControlPlaneComponent,
): { flags: Map<string, string[]> } | { problem: string } {
  const booleans = BOOLEAN_FLAGS[component];
  const flags = new Map<string, string[]>();
  const record = (name: string, value: string): void => {
    const values = flags.get(name);
    if (values === undefined) flags.set(name, [value]);
    else values.push(value);
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      if (i + 1 < words.length) return { problem: `unexpected argument "${words[i + 1]}"` };
      break;
    }
    if (!looksLikeFlag(word)) {
      const previous = words[i - 1];
      const hint =
        previous !== undefined && booleans.has(normalizeName(previous.replace(/^--?/, ''), component))
          ? ` (a boolean flag takes its value as ${previous}=${word})`
          : '';
      return { problem: `unexpected argument "${word.slice(0, 80)}"${hint}` };
    }
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      record(normalizeName(body.slice(0, eq), component), body.slice(eq + 1));
      continue;
    }
    const name = normalizeName(body, component);
    if (booleans.has(name)) {
      record(name, 'true');
      continue;
    }
    const next = words[i + 1];
    if (next === undefined || looksLikeFlag(next)) {
      // A flag we do not know with nothing to take is most likely a boolean we do not list.
      record(name, 'true');
      continue;
    }
    record(name, next);
    i++;
  }
  return { flags };
}

/** kube-apiserver's flag set treats `_` as `-` in names; etcd's does not. */
function normalizeName(name: string, component: ControlPlaneComponent): string {
  return component === 'kube-apiserver' ? name.replace(/_/g, '-') : name;
}

function etcdEnvironment(container: Record<string, unknown>): Map<string, string> {
  const env = new Map<string, string>();
  for (const variable of asArray<unknown>(container['env'])) {
    if (!isRecord(variable)) continue;
    const { name, value } = variable;
    if (typeof name === 'string' && typeof value === 'string' && name.startsWith('ETCD_'))
      env.set(name, value);
  }
  return env;
}

function envNameOf(flag: string): string {
  return `ETCD_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function pickContainer(
  containers: readonly unknown[],
  component: ControlPlaneComponent,
): Record<string, unknown> | undefined {
  const records = containers.filter(isRecord);
  const byName = records.find((c) => c['name'] === component);
  if (byName !== undefined) return byName;
  const byCommand = records.find((c) => {
    const command = c['command'];
    return Array.isArray(command) && typeof command[0] === 'string' && basename(command[0]) === component;
  });
  if (byCommand !== undefined) return byCommand;
  return records.length === 1 ? records[0] : undefined;
}

/**
 * The command line of a component's static pod, or the outcome to return instead: `skip`
 * for pods that are not that component's, `error` naming the field when it cannot be read.
 */
export function readCommandLine(obj: KubeObject, component: ControlPlaneComponent): CommandLineRead {
  const stop = (outcome: CheckOutcome): CommandLineRead => ({ ok: false, outcome });
  if (!isControlPlanePod(obj, component)) return stop(skip(`not a static pod of ${component}`));
  const spec = obj['spec'];
  if (!isRecord(spec)) return stop(checkError('InvalidPodSpec', 'spec is missing or not an object'));
  const containers = spec['containers'];
  if (!Array.isArray(containers)) return stop(checkError('InvalidPodSpec', 'spec.containers is not a list'));
  const container = pickContainer(containers, component);
  if (container === undefined) {
    return stop(checkError('ComponentNotFound', `no container named ${component} or running it`));
  }
  const label = typeof container['name'] === 'string' ? `container "${container['name']}"` : 'the container';
  const command = stringList(container['command'], 'command');
  if (typeof command === 'string') return stop(checkError('InvalidCommand', `${label}: ${command}`));
  const args = stringList(container['args'], 'args');
  if (typeof args === 'string') return stop(checkError('InvalidCommand', `${label}: ${args}`));
  const parsed = parseFlags(argumentsOf(command, args, component), component);
  if ('problem' in parsed) {
    return stop(
      checkError('InvalidCommand', `${label}: ${component} would refuse to start: ${parsed.problem}`),
    );
  }
  const { flags } = parsed;
  const env = component === 'etcd' ? etcdEnvironment(container) : new Map<string, string>();
  if (component === 'etcd' && (flags.has('config-file') || env.has(envNameOf('config-file')))) {
    return stop(skip('etcd reads its settings from --config-file, which is not visible in the pod'));
  }
  const value = (name: string): string | undefined => flags.get(name)?.at(-1) ?? env.get(envNameOf(name));
  return {
    ok: true,
    flags: {
      component,
      value,
      list(name) {
        const given =
          flags.get(name) ?? (env.has(envNameOf(name)) ? [env.get(envNameOf(name)) as string] : []);
        return given
          .flatMap((entry) => entry.split(','))
          .map((entry) => entry.trim())
          .filter((entry) => entry !== '');
      },
    },
  };
}

/** A flag's effective boolean, with the component's default when unset; Go's ParseBool spellings. */
export function readBool(
  flags: CommandLine,
  name: string,
  fallback: boolean,
):
  | { readonly ok: true; readonly value: boolean; readonly set: boolean }
  | { readonly ok: false; readonly outcome: CheckOutcome } {
  const raw = flags.value(name);
  if (raw === undefined) return { ok: true, value: fallback, set: false };
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return { ok: true, value: true, set: true };
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return { ok: true, value: false, set: true };
  return { ok: false, outcome: checkError('InvalidFlag', `--${name}=${raw.slice(0, 80)} is not a boolean`) };
}

/** Whether a flag is given a non-empty value. */
export function isSet(flags: CommandLine, name: string): boolean {
  const value = flags.value(name);
  return value !== undefined && value.trim() !== '';
}
