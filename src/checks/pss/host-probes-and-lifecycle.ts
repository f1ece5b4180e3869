/**
 * Probes and lifecycle handlers are sent by the kubelet from the node, so a `host` in them
 * lets a pod make the node reach any address it names (upstream `hostProbesAndHostLifecycle`,
 * baseline, v1.34+; earlier versions skip). Read, for every init, regular and ephemeral
 * container: `livenessProbe`, `readinessProbe` and `startupProbe` `.httpGet.host` and
 * `.tcpSocket.host`, and `lifecycle.postStart` / `lifecycle.preStop` `.httpGet.host` and
 * `.tcpSocket.host`. Passes when each is unset or empty.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { Fields } from './pod-fields.js';
import {
  containerList,
  forEachContainer,
  joinQuote,
  pluralize,
  readRecord,
  readString,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLERS = ['postStart', 'preStop'] as const;

/** Non-empty hosts of one probe or lifecycle handler. */
function hostsOf(handler: Fields | undefined, path: string): string[] {
  const hosts: string[] = [];
  for (const action of ['httpGet', 'tcpSocket']) {
    const host = readString(readRecord(handler, action, path), 'host', `${path}.${action}`);
    if (host !== undefined && host !== '') hosts.push(host);
  }
  return hosts;
}

function hostProbesAndHostLifecycle1Dot34(pod: PodSubject): Forbidden | undefined {
  const badContainers: string[] = [];
  const hosts: string[] = [];
  forEachContainer(pod, (container) => {
    const found: string[] = [];
    for (const probe of PROBES) {
      found.push(
        ...hostsOf(readRecord(container.fields, probe, container.path), `${container.path}.${probe}`),
      );
    }
    const lifecycle = readRecord(container.fields, 'lifecycle', container.path);
    for (const handler of HANDLERS) {
      const path = `${container.path}.lifecycle`;
      found.push(...hostsOf(readRecord(lifecycle, handler, path), `${path}.${handler}`));
    }
    if (found.length === 0) return;
    badContainers.push(container.name);
    hosts.push(...found);
  });
  if (badContainers.length === 0) return undefined;
  // Upstream keeps both containers and hosts in sets, so both come out sorted and unique.
  const containers = sortedSet(badContainers);
  const uniqueHosts = sortedSet(hosts);
  return {
    reason: 'probe or lifecycle host',
    detail:
      `${containerList(containers)} ${pluralize('uses', 'use', containers.length)} ` +
      `${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', uniqueHosts.length)} ${joinQuote(uniqueHosts)}`,
  };
}

const REVISIONS: readonly Revision[] = [{ since: 34, judge: hostProbesAndHostLifecycle1Dot34 }];

export const check: PodCheck = {
  id: 'pss.host-probes-and-lifecycle',
  title: 'Probes and lifecycle hooks do not name a host',
  description:
    'The kubelet sends HTTP and TCP probes and lifecycle hooks from the node. A host field in them makes the node ' +
    'connect to an address the pod chooses, which can reach services only the node may reach. Probes and ' +
    'postStart/preStop hooks must leave httpGet.host and tcpSocket.host unset (Pod Security Standards baseline, ' +
    '"Host Probes / Lifecycle Hooks", from v1.34).',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/host-probes-lifecycle-hooks' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove the host field from httpGet and tcpSocket probes and lifecycle handlers; the kubelet then targets the ' +
    "pod's own IP. Check a dependency from inside the container (an exec probe) instead.",
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('hostProbesAndHostLifecycle', REVISIONS, pod, ctx),
};
