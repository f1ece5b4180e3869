/**
 * Reading a NetworkPolicy: the API server's defaulting (`pkg/apis/networking/v1/defaults.go`)
 * and validation (`pkg/apis/networking/validation/validation.go`), repeated so that a
 * manifest is judged as the object the cluster would store, or not store at all.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CompiledNetworkPolicy } from '../../../src/engine/network/network-policy.js';
import {
  compileNetworkPolicy,
  describePeer,
  describePorts,
  isAllowAllRule,
  portNameProblem,
  selectsAllPods,
} from '../../../src/engine/network/network-policy.js';
import { policyObject } from './objects.js';

const valid = {
  podSelector: { matchLabels: { app: 'web' } },
  ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }] }],
};

interface ValidationCase {
  readonly name: string;
  readonly spec: unknown;
  /** `path: message` of each diagnostic, in order. */
  readonly problems: readonly string[];
}

const validation: readonly ValidationCase[] = [
  { name: 'a minimal valid policy', spec: valid, problems: [] },
  { name: 'spec absent: valid, the empty spec', spec: undefined, problems: [] },
  { name: 'spec not an object', spec: 'deny', problems: ['spec: must be an object'] },
  {
    name: 'podSelector with an unknown operator',
    spec: { podSelector: { matchExpressions: [{ key: 'a', operator: 'Is' }] } },
    problems: [
      'spec.podSelector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist (got "Is")',
    ],
  },
  { name: 'ingress not a list', spec: { ingress: { from: [] } }, problems: ['spec.ingress: must be a list'] },
  {
    name: 'a rule not an object',
    spec: { ingress: ['all'] },
    problems: ['spec.ingress[0]: must be an object'],
  },
  {
    name: 'an empty peer',
    spec: { ingress: [{ from: [{}] }] },
    problems: ['spec.ingress[0].from[0]: must specify a peer'],
  },
  {
    name: 'ipBlock with another peer',
    spec: { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }] },
    problems: ['spec.egress[0].to[0]: may not specify both ipBlock and another peer'],
  },
  {
    name: 'ipBlock without cidr',
    spec: { ingress: [{ from: [{ ipBlock: { except: [] } }] }] },
    problems: ['spec.ingress[0].from[0].ipBlock.cidr: is required'],
  },
  {
    name: 'ipBlock with a malformed cidr',
    spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0' } }] }] },
    problems: ['spec.ingress[0].from[0].ipBlock.cidr: must be a valid CIDR (got "10.0.0.0")'],
  },
  {
    name: 'except outside the cidr',
    spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] },
    problems: [
      'spec.ingress[0].from[0].ipBlock.except[0]: 192.168.0.0/16 must be a strict subset of `cidr` 10.0.0.0/8',
    ],
  },
  {
    name: 'except equal to the cidr (not a strict subset)',
    spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] },
    problems: [
      'spec.ingress[0].from[0].ipBlock.except[0]: 10.0.0.0/8 must be a strict subset of `cidr` 10.0.0.0/8',
    ],
  },
  {
    name: 'except of the other family',
    spec: { ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['fd00::/8'] } }] }] },
    problems: [
      'spec.ingress[0].from[0].ipBlock.except[0]: fd00::/8 must be a strict subset of `cidr` 0.0.0.0/0',
    ],
  },
  {
    name: 'an unsupported protocol (case matters)',
    spec: { ingress: [{ ports: [{ protocol: 'tcp', port: 80 }] }] },
    problems: ['spec.ingress[0].ports[0].protocol: must be one of TCP, UDP, SCTP (got "tcp")'],
  },
  {
    name: 'port 0',
    spec: { ingress: [{ ports: [{ port: 0 }] }] },
    problems: [
      'spec.ingress[0].ports[0].port: must be a port number between 1 and 65535 or a port name (got 0)',
    ],
  },
  {
    name: 'a quoted number is a port name, and not a valid one',
    spec: { ingress: [{ ports: [{ port: '80' }] }] },
    problems: [
      'spec.ingress[0].ports[0].port: "80" is not a valid port name: must contain at least one letter (a-z)',
    ],
  },
  {
    name: 'endPort below port',
    spec: { egress: [{ ports: [{ port: 9000, endPort: 8000 }] }] },
    problems: ['spec.egress[0].ports[0].endPort: must be greater than or equal to `port`'],
  },
  {
    name: 'endPort with a named port',
    spec: { egress: [{ ports: [{ port: 'http', endPort: 8000 }] }] },
    problems: ['spec.egress[0].ports[0].endPort: may not be specified when `port` is non-numeric'],
  },
  {
    name: 'endPort without port',
    spec: { egress: [{ ports: [{ endPort: 8000 }] }] },
    problems: ['spec.egress[0].ports[0].endPort: may not be specified when `port` is not specified'],
  },
  {
    name: 'an unknown policyType',
    spec: { policyTypes: ['Ingress', 'Both'] },
    problems: ['spec.policyTypes[1]: must be Ingress or Egress (got "Both")'],
  },
  {
    name: 'three policyTypes',
    spec: { policyTypes: ['Ingress', 'Egress', 'Ingress'] },
    problems: ['spec.policyTypes: may not specify more than two policyTypes'],
  },
  {
    name: 'rules of a direction not in force are still validated',
    spec: { policyTypes: ['Ingress'], egress: [{ to: [{}] }] },
    problems: ['spec.egress[0].to[0]: must specify a peer'],
  },
];

describe('compileNetworkPolicy: validation as the API server does it', () => {
  for (const c of validation) {
    it(c.name, () => {
      const policy = compileNetworkPolicy(policyObject('shop', 'p', c.spec));
      assert.deepEqual(
        policy.diagnostics.map((d) => `${d.path}: ${d.message}`),
        c.problems,
      );
    });
  }
});

interface DefaultingCase {
  readonly name: string;
  readonly spec: unknown;
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly ingressRules: number;
  readonly egressRules: number;
}

const defaulting: readonly DefaultingCase[] = [
  // "If this field is not specified, it will default based on the existence of ingress or egress rules"
  {
    name: 'no policyTypes, no rules: Ingress',
    spec: {},
    ingress: true,
    egress: false,
    ingressRules: 0,
    egressRules: 0,
  },
  {
    name: 'no policyTypes, ingress rules: Ingress',
    spec: { ingress: [{}] },
    ingress: true,
    egress: false,
    ingressRules: 1,
    egressRules: 0,
  },
  {
    name: 'no policyTypes, egress rules: Ingress and Egress',
    spec: { egress: [{}] },
    ingress: true,
    egress: true,
    ingressRules: 0,
    egressRules: 1,
  },
  {
    name: 'no policyTypes, egress: []: Ingress only',
    spec: { egress: [] },
    ingress: true,
    egress: false,
    ingressRules: 0,
    egressRules: 0,
  },
  {
    name: 'policyTypes: []: defaulted as if absent',
    spec: { policyTypes: [], egress: [{}] },
    ingress: true,
    egress: true,
    ingressRules: 0,
    egressRules: 1,
  },
  {
    name: 'policyTypes [Egress]: ingress rules dropped',
    spec: { policyTypes: ['Egress'], ingress: [{}] },
    ingress: false,
    egress: true,
    ingressRules: 0,
    egressRules: 0,
  },
  {
    name: 'policyTypes [Ingress]: egress rules dropped',
    spec: { policyTypes: ['Ingress'], egress: [{}] },
    ingress: true,
    egress: false,
    ingressRules: 0,
    egressRules: 0,
  },
  {
    name: 'policyTypes [Egress, Ingress]',
    spec: { policyTypes: ['Egress', 'Ingress'] },
    ingress: true,
    egress: true,
    ingressRules: 0,
    egressRules: 0,
  },
];

describe('compileNetworkPolicy: policyTypes defaulting', () => {
  for (const c of defaulting) {
    it(c.name, () => {
      const policy = compileNetworkPolicy(policyObject('shop', 'p', c.spec));
      assert.deepEqual(policy.affects, { ingress: c.ingress, egress: c.egress });
      assert.equal(policy.rules.ingress.length, c.ingressRules);
      assert.equal(policy.rules.egress.length, c.egressRules);
    });
  }
});

function compile(spec: unknown, namespace = 'shop'): CompiledNetworkPolicy {
  return compileNetworkPolicy(policyObject(namespace, 'p', spec));
}

describe('compileNetworkPolicy: rules', () => {
  it('a rule without from and ports allows everything', () => {
    const rule = compile({ ingress: [{}] }).rules.ingress[0];
    assert.ok(rule !== undefined && isAllowAllRule(rule));
    assert.equal(rule.peers, 'all');
    assert.equal(rule.ports, 'all');
  });

  it('empty from and ports lists mean all, like absent ones', () => {
    const rule = compile({ ingress: [{ from: [], ports: [] }] }).rules.ingress[0];
    assert.equal(rule?.peers, 'all');
    assert.equal(rule?.ports, 'all');
  });

  it('the protocol defaults to TCP', () => {
    assert.deepEqual(compile({ ingress: [{ ports: [{ port: 80 }] }] }).rules.ingress[0]?.ports, [
      { kind: 'range', protocol: 'TCP', from: 80, to: 80 },
    ]);
  });

  it('reads port, endPort, named and protocol-only entries', () => {
    const ports = compile({
      egress: [
        { ports: [{ port: 8000, endPort: 8100, protocol: 'UDP' }, { port: 'http' }, { protocol: 'SCTP' }] },
      ],
    }).rules.egress[0]?.ports;
    assert.deepEqual(ports, [
      { kind: 'range', protocol: 'UDP', from: 8000, to: 8100 },
      { kind: 'named', protocol: 'TCP', name: 'http' },
      { kind: 'protocol', protocol: 'SCTP' },
    ]);
    assert.equal(describePorts(ports ?? 'all'), '8000-8100/UDP, http/TCP, every SCTP port');
  });

  it('a peer with podSelector only stays in the policy namespace', () => {
    const policy = compile({ ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] });
    const peer = (policy.rules.ingress[0]?.peers as readonly unknown[])[0];
    assert.deepEqual((peer as { namespaces: unknown }).namespaces, { kind: 'own' });
  });

  it('a peer with namespaceSelector {} reaches every namespace', () => {
    const policy = compile({ ingress: [{ from: [{ namespaceSelector: {} }] }] });
    const peers = policy.rules.ingress[0]?.peers;
    assert.ok(Array.isArray(peers));
    const peer = peers[0];
    assert.ok(peer !== undefined && peer.kind === 'pods');
    assert.deepEqual(peer.namespaces, { kind: 'all' });
    assert.equal(peer.pods, undefined);
    assert.equal(describePeer(peer, 'shop'), 'every pod in every namespace');
  });

  it('describes selectors and ip blocks as a person would', () => {
    const policy = compile({
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { team: 'a' },
                matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }],
              },
              podSelector: {
                matchExpressions: [
                  { key: 'canary', operator: 'DoesNotExist' },
                  { key: 'app', operator: 'Exists' },
                ],
              },
            },
            { podSelector: { matchLabels: { app: 'db' } } },
            { ipBlock: { cidr: '10.1.2.3/8', except: ['10.9.0.0/16'] } },
          ],
        },
      ],
    });
    const peers = policy.rules.ingress[0]?.peers;
    assert.ok(Array.isArray(peers));
    assert.deepEqual(
      peers.map((peer) => describePeer(peer, 'shop')),
      [
        'pods !canary,app in namespaces team=a,env in (prod,stage)',
        'pods app=db in namespace shop',
        '10.0.0.0/8 except 10.9.0.0/16',
      ],
    );
  });

  it('selectsAllPods for {} and for an absent podSelector, not for a label selector', () => {
    assert.equal(selectsAllPods(compile({ podSelector: {} })), true);
    assert.equal(selectsAllPods(compile({})), true);
    assert.equal(selectsAllPods(compile({ podSelector: { matchLabels: { a: 'b' } } })), false);
  });

  it('an invalid podSelector selects nothing', () => {
    const policy = compile({ podSelector: { matchLabels: 'app=web' } });
    assert.equal(policy.diagnostics.length, 1);
    assert.equal(policy.podSelector.matches({}), false);
  });

  it('a namespace-less policy is in default', () => {
    const policy = compileNetworkPolicy(policyObject(undefined, 'p', {}));
    assert.equal(policy.namespace, 'default');
    assert.equal(policy.ref.namespace, 'default');
  });

  it('never throws on arbitrary shapes', () => {
    const shapes: unknown[] = [
      null,
      1,
      'x',
      [],
      { ingress: [null, 1, [], { from: 'x', ports: {} }] },
      { egress: [{ to: [{ ipBlock: 'x' }] }] },
    ];
    for (const spec of shapes) {
      const obj: KubeObject = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'p' },
        spec,
      };
      assert.doesNotThrow(() => compileNetworkPolicy(obj));
    }
  });
});

describe('portNameProblem (IsValidPortName)', () => {
  const names: readonly (readonly [string, string | undefined])[] = [
    ['http', undefined],
    ['http-alt2', undefined],
    ['HTTP', 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ['1234', 'must contain at least one letter (a-z)'],
    ['a--b', 'must not contain consecutive hyphens'],
    ['-ab', 'must not begin or end with a hyphen'],
    ['abcdefghijklmnop', 'must be no more than 15 characters'],
  ];
  for (const [name, problem] of names) {
    it(`${JSON.stringify(name)}: ${problem ?? 'valid'}`, () => assert.equal(portNameProblem(name), problem));
  }
});
