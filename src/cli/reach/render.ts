/**
 * How `bulwark reach` prints its answer: a table for people and a JSON document for
 * programs. The JSON shape (`ReachDocument`) is part of the command's contract: fields are
 * only ever added, each peer and port carries both its structured form and the text the
 * table shows, and every list is sorted so two runs over the same input print the same
 * bytes.
 */
import type { Workload } from '../../engine/network/network-index.js';
import type { Direction } from '../../engine/network/network-policy.js';
import type { DirectionReach, Reach, ReachPeer, ReachPort } from '../../engine/network/reach.js';
import { describeReachPeer, describeReachPort } from '../../engine/network/reach.js';
import type { ResourceRef } from '../../engine/types.js';

export const REACH_API_VERSION = 'bulwark.dev/v1alpha1';
export const REACH_KIND = 'Reach';

/** Which directions to show. */
export type DirectionChoice = Direction | 'both';
export const DIRECTION_CHOICES: readonly DirectionChoice[] = ['ingress', 'egress', 'both'];

export interface ReachPortJson {
  /** `all`, `protocol`, `range` or `named`, with the fields of engine/network/reach.ts ReachPort. */
  readonly kind: ReachPort['kind'];
  readonly protocol?: string;
  readonly from?: number;
  readonly to?: number;
  readonly name?: string;
  /** `8080/TCP (http)`, `every port`: as the table prints it. */
  readonly text: string;
}

export type ReachPeerJson = ReachPeer & { readonly text: string };

export interface ReachEntryJson {
  readonly port: ReachPortJson;
  readonly peers: readonly ReachPeerJson[];
  /** The rules that open this port, as `namespace/policy` and the rule's path. */
  readonly rules: readonly { readonly policy: string; readonly path: string }[];
}

export interface DirectionJson {
  readonly isolated: boolean;
  /** `namespace/name` of each policy that selects the workload for this direction. */
  readonly policies: readonly string[];
  /** Empty when isolated and nothing is allowed. Not isolated: one entry, every port, `any`. */
  readonly entries: readonly ReachEntryJson[];
  readonly notes: readonly string[];
}

/** The `--format json` document. */
export interface ReachDocument {
  readonly apiVersion: typeof REACH_API_VERSION;
  readonly kind: typeof REACH_KIND;
  readonly workload: {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly ports: readonly { readonly name?: string; readonly port: number; readonly protocol: string }[];
    readonly hostNetwork: boolean;
    /** Pods and templates grouped under the workload, as `Kind/name`. */
    readonly members: readonly string[];
  };
  readonly ingress?: DirectionJson;
  readonly egress?: DirectionJson;
  /** Policies of the namespace the API server would refuse, and why; they allow and deny nothing. */
  readonly ignoredPolicies: readonly { readonly policy: string; readonly problems: readonly string[] }[];
}

function policyName(ref: ResourceRef): string {
  return `${ref.namespace ?? ''}/${ref.name}`;
}

function portJson(port: ReachPort): ReachPortJson {
  return { ...port, text: describeReachPort(port) };
}

function directionJson(reach: DirectionReach): DirectionJson {
  return {
    isolated: reach.isolated,
    policies: reach.policies.map(policyName),
    entries: reach.entries.map((entry) => ({
      port: portJson(entry.port),
      peers: entry.peers.map((peer) => ({ ...peer, text: describeReachPeer(peer) })),
      rules: entry.rules.map((rule) => ({ policy: policyName(rule.policy), path: rule.path })),
    })),
    notes: reach.notes,
  };
}

function directionsOf(choice: DirectionChoice): readonly Direction[] {
  return choice === 'both' ? ['ingress', 'egress'] : [choice];
}

export function reachDocument(reach: Reach, choice: DirectionChoice): ReachDocument {
  const w = reach.workload;
  const directions = directionsOf(choice);
  return {
    apiVersion: REACH_API_VERSION,
    kind: REACH_KIND,
    workload: {
      kind: w.ref.kind,
      namespace: w.namespace,
      name: w.ref.name,
      labels: sortedLabels(w.labels),
      ports: w.ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, protocol: p.protocol })),
      hostNetwork: w.hostNetwork,
      members: w.members.map((m) => `${m.ref.kind}/${m.ref.name}`),
    },
    ...(directions.includes('ingress') ? { ingress: directionJson(reach.ingress) } : {}),
    ...(directions.includes('egress') ? { egress: directionJson(reach.egress) } : {}),
    ignoredPolicies: reach.ignored.map((ignored) => ({
      policy: policyName(ignored.policy),
      problems: ignored.diagnostics.map((d) => `${d.path}: ${d.message}`),
    })),
  };
}

export function renderJson(reach: Reach, choice: DirectionChoice): string {
  return `${JSON.stringify(reachDocument(reach, choice), null, 2)}\n`;
}

function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) out[key] = labels[key] as string;
  return out;
}

function describeLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? 'no labels' : keys.map((k) => `${k}=${labels[k] ?? ''}`).join(',');
}

function describeWorkload(w: Workload): string {
  return `${w.ref.kind}/${w.ref.name} in namespace ${w.namespace}`;
}

// A rule open to one label in every namespace can name thousands of workloads; the table
// stays readable and the json keeps the full list.
export const MAX_PEERS_SHOWN = 50;

const HEADINGS: Readonly<Record<Direction, { title: string; peer: string; open: string }>> = {
  ingress: { title: 'Ingress (who can connect to it)', peer: 'FROM', open: 'anyone can connect to it on every port' },
  egress: { title: 'Egress (where it can connect)', peer: 'TO', open: 'it can connect anywhere on every port' },
};

function directionTable(reach: DirectionReach): string[] {
  const heading = HEADINGS[reach.direction];
  const lines = [`${heading.title}:`];
  if (!reach.isolated) {
    lines.push(`  not isolated: no NetworkPolicy selects it for ${reach.direction}, so ${heading.open}`);
  } else {
    lines.push(`  isolated by ${reach.policies.map(policyName).join(', ')}`);
    if (reach.entries.length === 0) {
      lines.push(`  nothing allowed: every ${reach.direction} connection is denied`);
    } else {
      const ports = reach.entries.map((e) => describeReachPort(e.port));
      const width = Math.max('PORT'.length, ...ports.map((p) => p.length));
      lines.push(`  ${'PORT'.padEnd(width)}  ${heading.peer}`);
      reach.entries.forEach((entry, i) => {
        const shown = entry.peers.slice(0, MAX_PEERS_SHOWN);
        shown.forEach((peer, j) => {
          lines.push(`  ${(j === 0 ? (ports[i] ?? '') : '').padEnd(width)}  ${describeReachPeer(peer)}`);
        });
        if (entry.peers.length > shown.length) {
          lines.push(`  ${''.padEnd(width)}  ... and ${entry.peers.length - shown.length} more (--format json lists every one)`);
        }
        const rules = entry.rules.map((r) => `${policyName(r.policy)} ${r.path}`).join(', ');
        lines.push(`  ${''.padEnd(width)}  (by ${rules})`);
      });
    }
  }
  for (const note of reach.notes) lines.push(`  note: ${note}`);
  return lines;
}

export function renderTable(reach: Reach, choice: DirectionChoice): string {
  const w = reach.workload;
  const lines = [`${describeWorkload(w)} (${describeLabels(w.labels)})`, ''];
  for (const direction of directionsOf(choice)) {
    lines.push(...directionTable(reach[direction]), '');
  }
  if (reach.ignored.length > 0) {
    lines.push('Ignored NetworkPolicies (the API server would refuse them; they allow and deny nothing):');
    for (const ignored of reach.ignored) {
      const problems = ignored.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ');
      lines.push(`  ${policyName(ignored.policy)}: ${problems}`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
