/**
 * Runs the CLI in-process with captured output, a fixed clock, the fixtures folder as the
 * working directory and, by default, a small fixed catalogue, so golden outputs do not
 * change whenever a check family changes its wording.
 */
import { Readable } from 'node:stream';
import { join } from 'node:path';
import type { Check, PodCheck } from '../../src/engine/check.js';
import { nameOf } from '../../src/engine/objects.js';
import { describeContainer, visitContainers } from '../../src/engine/pod-spec.js';
import { fail, PASS } from '../../src/engine/types.js';
import type { CliDeps, CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { GOLDEN_DIR } from '../report/golden.js';

export const FIXTURES = GOLDEN_DIR;
export const NOW = new Date('2026-11-24T12:00:00Z');

const privileged: PodCheck = {
  id: 'test.privileged',
  title: 'Containers are not privileged',
  description: 'A privileged container can do anything its node can.',
  severity: 'critical',
  category: 'pod-security',
  profiles: ['pss-baseline'],
  kinds: ['Pod', 'Deployment', 'CronJob'],
  frameworks: [{ framework: 'PSS', control: 'baseline/privileged' }],
  remediation: 'Remove securityContext.privileged.',
  scope: 'pod',
  evaluate(pod) {
    const bad: string[] = [];
    visitContainers(pod.spec, (c, kind, i) => {
      if (c.securityContext?.privileged === true) bad.push(describeContainer(c, kind, i));
    });
    return bad.length === 0 ? PASS : fail('Privileged', `${bad.join(', ')} is privileged`);
  },
};

const latest: PodCheck = {
  id: 'test.latest-tag',
  title: 'Images name a fixed tag',
  description: 'A :latest image changes under a running workload.',
  severity: 'medium',
  category: 'workload',
  profiles: ['workloads'],
  kinds: ['Pod', 'Deployment', 'CronJob'],
  frameworks: [],
  remediation: 'Pin images to a version.',
  params: { allow: { type: 'string[]', description: 'images that may float', default: [] } },
  scope: 'pod',
  evaluate(pod, ctx) {
    const allow = (ctx.params['allow'] as readonly string[] | undefined) ?? [];
    const bad: string[] = [];
    visitContainers(pod.spec, (c, kind, i) => {
      const image = typeof c.image === 'string' ? c.image : '';
      if ((image.endsWith(':latest') || !image.includes(':')) && !allow.includes(image)) bad.push(`${describeContainer(c, kind, i)} uses "${image}"`);
    });
    return bad.length === 0 ? PASS : fail('LatestTag', bad.join('; '));
  },
};

const teamLabel: Check = {
  id: 'test.team-label',
  title: 'Namespaces name their team',
  description: 'A namespace without a team label has no owner to page.',
  severity: 'low',
  category: 'namespace',
  profiles: ['namespaces'],
  kinds: ['Namespace'],
  frameworks: [],
  remediation: 'Label the namespace with team.',
  scope: 'namespace',
  *evaluate(namespace, ctx) {
    const ns = ctx.inventory.get('Namespace', undefined, namespace);
    if (ns === undefined) return;
    const labelled = typeof ns.metadata?.labels?.['team'] === 'string';
    yield {
      resource: { apiVersion: 'v1', kind: 'Namespace', name: namespace },
      outcome: labelled ? PASS : fail('NoTeam', `namespace "${namespace}" has no team label`),
    };
  },
};

const wildcard: Check = {
  id: 'test.wildcard-verbs',
  title: 'RBAC rules name their verbs',
  description: 'A * verb grants every verb, including future ones.',
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ['Role', 'ClusterRole'],
  frameworks: [{ framework: 'CIS', control: '5.1.3' }],
  remediation: 'List the verbs needed.',
  scope: 'object',
  evaluate(object) {
    const rules = Array.isArray(object['rules']) ? (object['rules'] as { verbs?: unknown }[]) : [];
    const wild = rules.some((r) => Array.isArray(r.verbs) && r.verbs.includes('*'));
    return wild ? fail('Wildcard', `${String(object.kind)} "${nameOf(object)}" grants verbs ["*"]`) : PASS;
  },
};

const optIn: PodCheck = {
  id: 'test.opt-in',
  title: 'An opt-in check',
  description: 'Runs only when a policy enables it.',
  severity: 'low',
  category: 'workload',
  profiles: [],
  kinds: ['Pod'],
  frameworks: [],
  remediation: 'Nothing.',
  scope: 'pod',
  evaluate: () => fail('Always', 'always fails'),
};

export const TEST_CHECKS: readonly Check[] = [latest, optIn, privileged, teamLabel, wildcard];
export const TEST_DEPS: CliDeps = { loadChecks: async () => TEST_CHECKS, version: '0.1.0' };

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly files: ReadonlyMap<string, string>;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly stdin?: string;
  readonly deps?: CliDeps;
  readonly tty?: boolean;
  readonly env?: Record<string, string>;
}

export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const files = new Map<string, string>();
  const io: CliIo = {
    stdout: { write: (text) => void (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text) => void (stderr += text), isTTY: options.tty ?? false },
    ...(options.stdin !== undefined ? { stdin: Readable.from([options.stdin]) } : {}),
    cwd: options.cwd ?? join(FIXTURES, 'manifests'),
    env: options.env ?? {},
    now: () => NOW,
    writeOutput: async (path, chunks) => {
      const text = [...chunks].join('');
      if (path === undefined) stdout += text;
      else files.set(path, text);
    },
  };
  const code = await main(argv, io, options.deps ?? TEST_DEPS);
  return { code, stdout, stderr, files };
}
