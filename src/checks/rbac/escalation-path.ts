/**
 * No subject can become a more powerful one. For every subject the RBAC objects name, and
 * every ServiceAccount, the escalation analysis (src/engine/rbac/escalation.ts) follows what
 * its effective permissions allow — create pods or pod controllers in a namespace (and so
 * run as any of its ServiceAccounts), create ServiceAccount tokens, read Secrets holding
 * tokens, impersonate users, groups or ServiceAccounts, bind roles to itself, escalate a
 * role bound to it — through up to `maxDepth` steps, and reports the identities and roles
 * reached that hold rights the subject lacks. One finding per subject; the message spells
 * out the shortest few chains, every step with the binding and role that allow it, and
 * counts the rest (up to ESCALATION_PATH_LIMIT, past which it says "at least").
 * System components (subjects.ts) are not analysed as sources. Passes for subjects with no
 * such path.
 */
import type { ClusterCheck, ScopedResult } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import type { EscalationPath } from '../../engine/rbac/escalation.js';
import {
  allEscalationPaths,
  describePath,
  describeTarget,
  ESCALATION_PATH_LIMIT,
} from '../../engine/rbac/escalation.js';
import type { RbacGraph } from '../../engine/rbac/graph.js';
import { RBAC_GRAPH_KINDS, rbacGraphOf } from '../../engine/rbac/graph.js';
import { isSystemComponent } from '../../engine/rbac/permissions.js';
import type { Subject } from '../../engine/rbac/subjects.js';
import { subjectKey } from '../../engine/rbac/subjects.js';
import type { ResourceRef } from '../../engine/types.js';
import { fail, PASS } from '../../engine/types.js';
import { NSA_AUTHZ } from './role-grants.js';

/** Chains spelled out in a message before "and N more". */
const SHOWN_PATHS = 3;

/** Where a subject's finding is filed: its ServiceAccount, or the user or group by name. */
export function subjectResource(subject: Subject): ResourceRef {
  if (subject.kind === 'ServiceAccount') {
    return {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      namespace: subject.namespace ?? '',
      name: subject.name,
    };
  }
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: subject.kind, name: subject.name };
}

export const check: ClusterCheck = {
  id: 'rbac.escalation-path',
  title: 'No subject can escalate to a more powerful identity',
  description:
    'RBAC rules compose: a subject that may create pods in a namespace runs as any ServiceAccount there, one that may ' +
    'impersonate, mint tokens, read token Secrets or bind roles becomes whoever holds more. Reviewing each rule alone ' +
    'misses these chains; this check follows them and names each step.',
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  // What its answer depends on: everything the RBAC graph reads.
  kinds: RBAC_GRAPH_KINDS,
  frameworks: [NSA_AUTHZ, { framework: 'CIS', control: '5.1.8' }],
  remediation:
    'Break the first step of each chain: remove the permission it names from the role, bind it to fewer subjects, or ' +
    'move the powerful ServiceAccount to a namespace where the subject cannot create pods.',
  params: {
    maxDepth: {
      type: 'number',
      description: 'Longest chain of steps followed.',
      default: 3,
      minimum: 1,
      maximum: 6,
    },
  },
  scope: 'cluster',
  evaluate(ctx): Iterable<ScopedResult> {
    const graph = rbacGraphOf(ctx);
    const maxDepth = param<number>(ctx, check, 'maxDepth');
    // The results are what is kept until RBAC changes, not the paths: at 20,000 RBAC
    // objects the paths, their steps and grants took 15 MiB (measured), their messages a
    // fraction of that, and the findings share the message strings.
    return ctx.derive(
      `rbac-escalation-results/${maxDepth}`,
      () => results(graph, maxDepth),
      RBAC_GRAPH_KINDS,
    );
  },
};

function results(graph: RbacGraph, maxDepth: number): readonly ScopedResult[] {
  const found = allEscalationPaths(graph, {
    maxDepth,
    maxPaths: ESCALATION_PATH_LIMIT,
    include: (s) => !isSystemComponent(graph, s),
  });
  return sources(graph).map((subject) => {
    const paths = found.get(subjectKey(subject))?.paths;
    return {
      resource: subjectResource(subject),
      outcome:
        paths === undefined || paths.length === 0 ? PASS : fail('EscalationPath', describePaths(paths)),
    };
  });
}

function describePaths(paths: readonly EscalationPath[]): string {
  const shown = paths.slice(0, SHOWN_PATHS).map(describePath);
  const more = paths.length - shown.length;
  const count = paths.length >= ESCALATION_PATH_LIMIT ? `at least ${paths.length}` : `${paths.length}`;
  const targets = paths.length === 1 ? '1 identity or role' : `${count} identities or roles`;
  const tail =
    more > 0
      ? `; and ${more} more (${paths.slice(SHOWN_PATHS).map(finalTarget).slice(0, 3).join(', ')}${more > 3 ? ', ...' : ''})`
      : '';
  // Joined into one flat string: kept with the results, a message built with `+` would be
  // a tree of all its pieces.
  return ['can gain the rights of ', targets, ': ', shown.join('; '), tail].join('');
}

function finalTarget(path: EscalationPath): string {
  const last = path.steps[path.steps.length - 1];
  return last === undefined ? '' : describeTarget(last.target);
}

function sources(graph: RbacGraph): Subject[] {
  return graph.subjects.filter((subject) => !isSystemComponent(graph, subject));
}
