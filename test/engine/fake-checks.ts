/** Small checks with known behaviour, so engine tests do not depend on the real catalogue. */
import type { ClusterCheck, NamespaceCheck, ObjectCheck, PodCheck } from '../../src/engine/check.js';
import { param } from '../../src/engine/check.js';
import { namespaceOf } from '../../src/engine/objects.js';
import { fail, PASS, skip } from '../../src/engine/types.js';

const common = {
  description: 'test check',
  frameworks: [],
  remediation: 'fix it',
} as const;

/** Fails pods whose first container is named "bad". */
export const badContainer: PodCheck = {
  ...common,
  id: 'test.bad-container',
  title: 'Bad container',
  severity: 'high',
  category: 'workload',
  profiles: ['workloads'],
  kinds: ['Pod'],
  scope: 'pod',
  evaluate(pod) {
    return pod.spec.containers?.[0]?.name === 'bad' ? fail('Bad', 'container "bad" is bad') : PASS;
  },
};

/** Superseding twin of badContainer in another profile. */
export const veryBadContainer: PodCheck = {
  ...badContainer,
  id: 'test.very-bad-container',
  title: 'Very bad container',
  severity: 'critical',
  profiles: ['pss-restricted'],
  supersedes: ['test.bad-container'],
  evaluate(pod) {
    return pod.spec.containers?.[0]?.name === 'bad' ? fail('VeryBad', 'container "bad" is very bad') : PASS;
  },
};

/** Fails Roles named in the `names` parameter. */
export const namedRole: ObjectCheck = {
  ...common,
  id: 'test.named-role',
  title: 'Named role',
  severity: 'medium',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ['Role'],
  params: { names: { type: 'string[]', description: 'names to fail', default: ['evil'] } },
  scope: 'object',
  evaluate(role, ctx) {
    return param<readonly string[]>(ctx, namedRole, 'names').includes(role.metadata?.name ?? '')
      ? fail('Named', `role ${role.metadata?.name} is named`)
      : PASS;
  },
};

/** Fails every namespace without a NetworkPolicy. */
export const noNetpol: NamespaceCheck = {
  ...common,
  id: 'test.no-netpol',
  title: 'No NetworkPolicy',
  severity: 'low',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy'],
  scope: 'namespace',
  *evaluate(namespace, ctx) {
    const outcome =
      ctx.inventory.list('NetworkPolicy', namespace).length > 0
        ? PASS
        : fail('None', `namespace ${namespace} has none`);
    yield { resource: { apiVersion: 'v1', kind: 'Namespace', name: namespace }, outcome };
  },
};

/** Reports one finding per ServiceAccount named "default", wherever it lives. */
export const defaultSa: ClusterCheck = {
  ...common,
  id: 'test.default-sa',
  title: 'Default SA',
  severity: 'low',
  category: 'service-account',
  profiles: [],
  kinds: ['ServiceAccount'],
  scope: 'cluster',
  *evaluate(ctx) {
    for (const sa of ctx.inventory.list('ServiceAccount')) {
      const ns = namespaceOf(sa);
      yield {
        resource: {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          name: sa.metadata?.name ?? '',
          ...(ns ? { namespace: ns } : {}),
        },
        outcome: sa.metadata?.name === 'default' ? fail('Default', 'default SA') : skip('not default'),
      };
    }
  },
};

export const fakeChecks = [badContainer, veryBadContainer, namedRole, noNetpol, defaultSa];
