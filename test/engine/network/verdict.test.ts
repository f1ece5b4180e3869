/**
 * The NetworkPolicy semantics, one pinned case per rule of the API reference
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 * and https://kubernetes.io/docs/concepts/services-networking/network-policies/). Each row
 * quotes or paraphrases the sentence it pins.
 */
import assert from 'node:assert/strict';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { buildNetworkIndex } from '../../../src/engine/network/network-index.js';
import type { Endpoint, Traffic } from '../../../src/engine/network/verdict.js';
import { explainTraffic, isAllowed } from '../../../src/engine/network/verdict.js';
import { namespaceObject, policyObject } from './objects.js';

const web: Endpoint = {
  kind: 'pod',
  namespace: 'shop',
  labels: { app: 'web' },
  ip: '10.0.1.10',
  ports: [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'dns', port: 5353, protocol: 'UDP' },
  ],
};
const db: Endpoint = {
  kind: 'pod',
  namespace: 'shop',
  labels: { app: 'db' },
  ip: '10.0.1.20',
  ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
};
const monitor: Endpoint = { kind: 'pod', namespace: 'ops', labels: { app: 'prometheus' }, ip: '10.0.2.30' };
const opsOther: Endpoint = { kind: 'pod', namespace: 'ops', labels: { app: 'other' }, ip: '10.0.2.31' };
const internet: Endpoint = { kind: 'ip', ip: '203.0.113.7' };

const namespaces: KubeObject[] = [
  namespaceObject('shop', { team: 'shop' }),
  namespaceObject('ops', { team: 'ops', monitoring: 'true' }),
];

const selectWeb = { matchLabels: { app: 'web' } };

interface Case {
  readonly name: string;
  readonly policies: readonly KubeObject[];
  readonly traffic: Traffic;
  readonly allowed: boolean;
}

const p = (spec: unknown, name = 'p', namespace = 'shop'): KubeObject => policyObject(namespace, name, spec);

const cases: readonly Case[] = [
  // "By default, a pod is non-isolated for ingress; all inbound connections are allowed."
  {
    name: 'no policy at all: allowed',
    policies: [],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  // "A pod is isolated for ingress if there is any NetworkPolicy that both selects the pod and
  // has Ingress in its policyTypes" — a policy selecting other pods leaves web open.
  {
    name: 'policy selects other pods only: destination not isolated',
    policies: [p({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'selected with Ingress and no rules: denied',
    policies: [p({ podSelector: selectWeb, policyTypes: ['Ingress'] })],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  // Isolation is per direction: an Ingress-only policy leaves the pod's egress open.
  {
    name: 'ingress isolation does not isolate egress',
    policies: [p({ podSelector: selectWeb, policyTypes: ['Ingress'] })],
    traffic: { from: web, to: internet, port: 443 },
    allowed: true,
  },
  // policyTypes defaulting: "If this field is not specified, it will default based on the
  // existence of ingress or egress rules; ... all policies (whether or not they contain an
  // ingress section) are assumed to affect ingress."
  {
    name: 'no policyTypes, no rules: Ingress is implied and denies',
    policies: [p({ podSelector: selectWeb })],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'no policyTypes, no egress section: egress not affected',
    policies: [p({ podSelector: selectWeb })],
    traffic: { from: web, to: internet, port: 443 },
    allowed: true,
  },
  // "... policies that contain an egress section are assumed to affect egress"
  {
    name: 'no policyTypes, with egress rules: Egress implied, other destinations denied',
    policies: [
      p({ podSelector: selectWeb, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
    ],
    traffic: { from: web, to: internet, port: 443 },
    allowed: false,
  },
  {
    name: 'no policyTypes, with egress rules: the allowed destination passes',
    policies: [
      p({ podSelector: selectWeb, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
    ],
    traffic: { from: web, to: db, port: 5432 },
    allowed: true,
  },
  // The API server's defaulting tests len(spec.egress) != 0: an empty list is no egress section.
  {
    name: 'no policyTypes, egress: []: egress not affected',
    policies: [p({ podSelector: selectWeb, egress: [] })],
    traffic: { from: web, to: internet, port: 443 },
    allowed: true,
  },
  {
    name: 'policyTypes [Egress] with egress: [] denies all egress',
    policies: [p({ podSelector: selectWeb, policyTypes: ['Egress'], egress: [] })],
    traffic: { from: web, to: db, port: 5432 },
    allowed: false,
  },
  // Rules of a direction not in policyTypes are ignored: Egress-only leaves ingress open.
  {
    name: 'policyTypes [Egress]: ingress rules are ignored and ingress stays open',
    policies: [
      p({
        podSelector: selectWeb,
        policyTypes: ['Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nothing' } } }] }],
      }),
    ],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  // "An empty podSelector selects all pods in the namespace."
  {
    name: 'podSelector {} isolates every pod of its namespace',
    policies: [p({ podSelector: {}, policyTypes: ['Ingress'] })],
    traffic: { from: monitor, to: db, port: 5432 },
    allowed: false,
  },
  {
    name: 'podSelector {} does not reach into other namespaces',
    policies: [p({ podSelector: {}, policyTypes: ['Ingress'] })],
    traffic: { from: db, to: monitor, port: 9090 },
    allowed: true,
  },
  // podSelector absent decodes to the zero (empty) selector: the same as {}.
  {
    name: 'podSelector absent is the empty selector',
    policies: [p({ policyTypes: ['Ingress'] })],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  // NetworkPolicyPeer.podSelector: "Otherwise it selects the Pods matching podSelector in the
  // policy's own namespace."
  {
    name: 'peer podSelector alone: a matching pod of the policy namespace is allowed',
    policies: [
      p({ podSelector: selectWeb, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
    ],
    traffic: { from: db, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'peer podSelector alone: a pod with the same labels in another namespace is not',
    policies: [
      p({ podSelector: selectWeb, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
    ],
    traffic: { from: { kind: 'pod', namespace: 'ops', labels: { app: 'db' } }, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'peer podSelector {}: every pod of the policy namespace',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ podSelector: {} }] }] })],
    traffic: { from: db, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'peer podSelector {}: not pods of other namespaces',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ podSelector: {} }] }] })],
    traffic: { from: monitor, to: web, port: 8080 },
    allowed: false,
  },
  // NetworkPolicyPeer.namespaceSelector: "if present but empty, it selects all namespaces."
  {
    name: 'namespaceSelector {}: pods of every namespace',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    traffic: { from: opsOther, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'namespaceSelector {}: not addresses outside the cluster',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'namespaceSelector by label: a pod of a matching namespace',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }],
      }),
    ],
    traffic: { from: opsOther, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'namespaceSelector by label: the policy namespace itself is not implied',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }],
      }),
    ],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  // The API server sets kubernetes.io/metadata.name on every namespace.
  {
    name: 'namespaceSelector on kubernetes.io/metadata.name matches by name',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }] },
        ],
      }),
    ],
    traffic: { from: opsOther, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'the automatic name label is set even for namespaces the inventory lacks',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'unlisted' } } }] },
        ],
      }),
    ],
    traffic: { from: { kind: 'pod', namespace: 'unlisted', labels: {} }, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'explicit namespace labels on the endpoint replace the index, the name label stays',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { team: 'x', 'kubernetes.io/metadata.name': 'ops' } } },
            ],
          },
        ],
      }),
    ],
    traffic: {
      from: { kind: 'pod', namespace: 'ops', labels: {}, namespaceLabels: { team: 'x' } },
      to: web,
      port: 8080,
    },
    allowed: true,
  },
  // "If PodSelector is also set, then the NetworkPolicyPeer as a whole selects the Pods
  // matching PodSelector in the Namespaces selected by NamespaceSelector" (AND in one peer).
  {
    name: 'namespaceSelector and podSelector in one peer: both must match (both do)',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { monitoring: 'true' } },
                podSelector: { matchLabels: { app: 'prometheus' } },
              },
            ],
          },
        ],
      }),
    ],
    traffic: { from: monitor, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'namespaceSelector and podSelector in one peer: namespace matches, pod does not',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { monitoring: 'true' } },
                podSelector: { matchLabels: { app: 'prometheus' } },
              },
            ],
          },
        ],
      }),
    ],
    traffic: { from: opsOther, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'namespaceSelector and podSelector in one peer: pod matches in the wrong namespace',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { monitoring: 'true' } },
                podSelector: { matchLabels: { app: 'prometheus' } },
              },
            ],
          },
        ],
      }),
    ],
    traffic: { from: { kind: 'pod', namespace: 'shop', labels: { app: 'prometheus' } }, to: web, port: 8080 },
    allowed: false,
  },
  // Two peers in one `from` list are ORed.
  {
    name: 'namespaceSelector and podSelector as two peers: either suffices (namespace)',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { monitoring: 'true' } } },
              { podSelector: { matchLabels: { app: 'prometheus' } } },
            ],
          },
        ],
      }),
    ],
    traffic: { from: opsOther, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'namespaceSelector and podSelector as two peers: either suffices (pod, own namespace)',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { monitoring: 'true' } } },
              { podSelector: { matchLabels: { app: 'prometheus' } } },
            ],
          },
        ],
      }),
    ],
    traffic: { from: { kind: 'pod', namespace: 'shop', labels: { app: 'prometheus' } }, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'matchExpressions: NotIn on the peer pod labels',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          {
            from: [
              { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] } },
            ],
          },
        ],
      }),
    ],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'matchExpressions: DoesNotExist matches a pod without the label',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [
          { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }] },
        ],
      }),
    ],
    traffic: { from: db, to: web, port: 8080 },
    allowed: true,
  },
  // IPBlock: "except is a slice of CIDRs that should not be included within an IPBlock".
  {
    name: 'ipBlock: an address inside the CIDR',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] }],
      }),
    ],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'ipBlock: an address inside an except block',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/29'] } }] }],
      }),
    ],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'ipBlock: an address outside the CIDR',
    policies: [
      p({ podSelector: selectWeb, ingress: [{ from: [{ ipBlock: { cidr: '198.51.100.0/24' } }] }] }),
    ],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'ipBlock: host bits in the CIDR are ignored, as Go parses it',
    policies: [
      p({ podSelector: selectWeb, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.99/24' } }] }] }),
    ],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  // ipBlocks apply to addresses, pods' included (the reference leaves cluster-internal
  // addresses to the plugin; cyclonus and most plugins match pod IPs).
  {
    name: 'ipBlock: matches a pod by its IP',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ ipBlock: { cidr: '10.0.2.0/24' } }] }] })],
    traffic: { from: monitor, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'ipBlock: a pod without a known IP never matches',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
    traffic: { from: { kind: 'pod', namespace: 'ops', labels: {} }, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'ipBlock: IPv6 address in an IPv6 block',
    policies: [
      p({
        podSelector: selectWeb,
        ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:ffff::/48'] } }] }],
      }),
    ],
    traffic: { from: { kind: 'ip', ip: '2001:db8:1::5' }, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'ipBlock: ::/0 does not contain IPv4 addresses',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }] })],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'ipBlock: an IPv4-mapped IPv6 address is its IPv4 address',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })],
    traffic: { from: { kind: 'ip', ip: '::ffff:203.0.113.7' }, to: web, port: 8080 },
    allowed: true,
  },
  // NetworkPolicyPort.protocol: "If not specified, this field defaults to TCP."
  {
    name: 'port protocol defaults to TCP: TCP allowed',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 8080 }] }] })],
    traffic: { from: db, to: web, port: 8080, protocol: 'TCP' },
    allowed: true,
  },
  {
    name: 'port protocol defaults to TCP: UDP on the same number denied',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 8080 }] }] })],
    traffic: { from: db, to: web, port: 8080, protocol: 'UDP' },
    allowed: false,
  },
  {
    name: 'a port entry with only a protocol matches every port of it',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
    traffic: { from: db, to: web, port: 31337, protocol: 'UDP' },
    allowed: true,
  },
  {
    name: 'SCTP is a protocol like the others',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 9000, protocol: 'SCTP' }] }] })],
    traffic: { from: db, to: web, port: 9000, protocol: 'SCTP' },
    allowed: true,
  },
  {
    name: 'a numbered port other than the connection port',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 80 }] }] })],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  // endPort: "indicates that the range of ports from port to endPort if set, inclusive".
  {
    name: 'endPort range: lower bound inclusive',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
    traffic: { from: db, to: web, port: 8000 },
    allowed: true,
  },
  {
    name: 'endPort range: upper bound inclusive',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
    traffic: { from: db, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'endPort range: one past the end',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })],
    traffic: { from: db, to: web, port: 8081 },
    allowed: false,
  },
  // Named ports resolve against the destination pod's container ports.
  {
    name: 'named port resolves against the destination container port',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 'http' }] }] })],
    traffic: { from: db, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'named port: a different number on the destination is not the named port',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 'http' }] }] })],
    traffic: { from: db, to: web, port: 9090 },
    allowed: false,
  },
  {
    name: 'named port: the name must have the rule protocol on the destination',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 'dns', protocol: 'TCP' }] }] })],
    traffic: { from: db, to: web, port: 5353, protocol: 'TCP' },
    allowed: false,
  },
  {
    name: 'named port with its protocol',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] })],
    traffic: { from: db, to: web, port: 5353, protocol: 'UDP' },
    allowed: true,
  },
  {
    name: 'named port in egress resolves against the destination, not the source',
    policies: [p({ podSelector: selectWeb, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }] }] })],
    traffic: { from: web, to: db, port: 5432 },
    allowed: true,
  },
  {
    name: 'named port in egress to an address that declares no ports',
    policies: [
      p({ podSelector: selectWeb, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'https' }] }] }),
    ],
    traffic: { from: web, to: internet, port: 443 },
    allowed: false,
  },
  {
    name: 'named port given by the caller (as cyclonus traffic carries it)',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 'metrics' }] }] })],
    traffic: {
      from: db,
      to: { kind: 'pod', namespace: 'shop', labels: { app: 'web' } },
      port: 9100,
      portName: 'metrics',
    },
    allowed: true,
  },
  // NetworkPolicyIngressRule.from: "If this field is empty or missing, this rule matches all sources."
  {
    name: 'rule without from: every source, including addresses',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [{ port: 8080 }] }] })],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'rule with from: []: every source',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [], ports: [{ port: 8080 }] }] })],
    traffic: { from: monitor, to: web, port: 8080 },
    allowed: true,
  },
  // ".ports: If this field is empty or missing, this rule matches all ports."
  {
    name: 'rule without ports: every port',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{ podSelector: {} }] }] })],
    traffic: { from: db, to: web, port: 65535, protocol: 'SCTP' },
    allowed: true,
  },
  {
    name: 'rule with ports: []: every port',
    policies: [p({ podSelector: selectWeb, ingress: [{ ports: [] }] })],
    traffic: { from: db, to: web, port: 1 },
    allowed: true,
  },
  {
    name: 'ingress: [{}]: everything',
    policies: [p({ podSelector: selectWeb, ingress: [{}] })],
    traffic: { from: internet, to: web, port: 22, protocol: 'UDP' },
    allowed: true,
  },
  // "Network policies do not conflict; they are additive": the union of all policies.
  {
    name: 'union: a deny-all policy and an allow policy together allow',
    policies: [
      p({ podSelector: {}, policyTypes: ['Ingress'] }, 'default-deny'),
      p(
        { podSelector: selectWeb, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] },
        'allow-db',
      ),
    ],
    traffic: { from: db, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'union: ports of one rule and peers of another do not combine',
    policies: [
      p(
        {
          podSelector: selectWeb,
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 80 }] }],
        },
        'a',
      ),
      p(
        {
          podSelector: selectWeb,
          ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 8080 }] }],
        },
        'b',
      ),
    ],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  // Both ends must allow: egress at the source and ingress at the destination.
  {
    name: 'egress denied at the source though ingress allows at the destination',
    policies: [
      p({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Egress'] }, 'db-no-egress'),
      p({ podSelector: selectWeb, ingress: [{}] }, 'web-open'),
    ],
    traffic: { from: db, to: web, port: 8080 },
    allowed: false,
  },
  {
    name: 'policies of another namespace do not select the pod',
    policies: [p({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'deny', 'ops')],
    traffic: { from: db, to: web, port: 8080 },
    allowed: true,
  },
  // A namespace-less manifest is applied into `default`, as kubectl does without -n.
  {
    name: 'a namespace-less policy applies to the default namespace',
    policies: [policyObject(undefined, 'deny', { podSelector: {}, policyTypes: ['Ingress'] })],
    traffic: { from: internet, to: { kind: 'pod', namespace: 'default', labels: {} }, port: 80 },
    allowed: false,
  },
  // A policy the API server would reject never exists in the cluster.
  {
    name: 'an invalid policy is ignored (empty peer: "must specify a peer")',
    policies: [p({ podSelector: selectWeb, ingress: [{ from: [{}] }] })],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'an invalid policy is ignored (ipBlock together with podSelector)',
    policies: [
      p({
        podSelector: selectWeb,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }],
      }),
    ],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
  {
    name: 'an address as source has no egress policies of its own',
    policies: [p({ podSelector: {}, policyTypes: ['Egress'] })],
    traffic: { from: internet, to: web, port: 8080 },
    allowed: true,
  },
];

describe('network verdict (isAllowed)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const index = buildNetworkIndex(new Inventory([...namespaces, ...c.policies]));
      assert.equal(isAllowed(index, c.traffic), c.allowed);
    });
  }

  it('explains which policies isolate and which rules allow', () => {
    const index = buildNetworkIndex(
      new Inventory([
        ...namespaces,
        p({ podSelector: {}, policyTypes: ['Ingress'] }, 'default-deny'),
        p(
          { podSelector: selectWeb, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] },
          'allow-db',
        ),
      ]),
    );
    const verdict = explainTraffic(index, { from: db, to: web, port: 8080 });
    assert.equal(verdict.allowed, true);
    assert.deepEqual(
      verdict.ingress.policies.map((ref) => ref.name),
      ['allow-db', 'default-deny'],
    );
    assert.deepEqual(verdict.ingress.allowedBy, [
      {
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          name: 'allow-db',
          namespace: 'shop',
        },
        path: 'spec.ingress[0]',
      },
    ]);
    assert.deepEqual(verdict.egress, {
      direction: 'egress',
      isolated: false,
      allowed: true,
      policies: [],
      allowedBy: [],
    });
  });
});
