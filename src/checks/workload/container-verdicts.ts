/**
 * Plumbing for the workload checks that judge each container on its own: the pod's container
 * lists are validated once, every container is judged, and one outcome names every offending
 * container, so a pod with three bad containers is one finding that lists all three.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import type { AnyContainer, ContainerKind, PodSubject } from '../../engine/pod-spec.js';
import { CONTAINER_KINDS, describeContainer } from '../../engine/pod-spec.js';
import { isRecord } from '../../engine/objects.js';
import type { CheckOutcome } from '../../engine/types.js';
import { checkError, fail, PASS } from '../../engine/types.js';

/** What one container (or the pod's structure) contributes to the outcome. */
export interface Problem {
  readonly status: 'fail' | 'error';
  readonly text: string;
}

export function violation(text: string): Problem {
  return { status: 'fail', text };
}

export function malformed(text: string): Problem {
  return { status: 'error', text };
}

export function isProblem(value: object): value is Problem {
  return 'status' in value && 'text' in value;
}

export interface ContainerRef {
  readonly container: AnyContainer;
  readonly kind: ContainerKind;
  readonly index: number;
  /** `container "web"`, or `containers[2]` when the name is missing. */
  readonly label: string;
}

// Enough to act on; a pod with fifty offending containers still gives a short message.
const MAX_LISTED = 10;

/** Whether an init container runs for the pod's whole life (a native sidecar). */
export function isSidecar(ref: ContainerRef): boolean {
  return ref.kind === 'initContainers' && ref.container.restartPolicy === 'Always';
}

/**
 * Walks every container of the pod, reporting structural problems (a container list that is
 * not a list, an entry that is not an object) as `error` problems instead of skipping them
 * silently: a pod whose containers cannot be read must not pass.
 */
export function collectContainerProblems(
  pod: PodSubject,
  judge: (ref: ContainerRef) => Problem | undefined,
): Problem[] {
  const spec: V1PodSpec = pod.spec;
  const problems: Problem[] = [];
  for (const kind of CONTAINER_KINDS) {
    const list: unknown = spec[kind];
    if (list === undefined || list === null) {
      if (kind === 'containers') problems.push(malformed(`${pod.specPath}.containers is missing`));
      continue;
    }
    if (!Array.isArray(list)) {
      problems.push(malformed(`${pod.specPath}.${kind} is not a list`));
      continue;
    }
    for (let index = 0; index < list.length; index++) {
      const container: unknown = list[index];
      if (!isRecord(container)) {
        problems.push(malformed(`${pod.specPath}.${kind}[${index}] is not an object`));
        continue;
      }
      const problem = judge(new LabelledContainer(container as unknown as AnyContainer, kind, index));
      if (problem !== undefined) problems.push(problem);
    }
  }
  return problems;
}

/**
 * A ContainerRef whose label is made when a judge asks for it, to name a violation: most
 * containers pass, and the label of every container under every check was a string built
 * for nothing, a million of them in a controller's pass over 50,000 pods.
 */
class LabelledContainer implements ContainerRef {
  private text: string | undefined;

  constructor(
    readonly container: AnyContainer,
    readonly kind: ContainerKind,
    readonly index: number,
  ) {}

  get label(): string {
    return (this.text ??= describeContainer(this.container, this.kind, this.index));
  }
}

/**
 * One outcome from many problems: any violation fails the pod (its message lists the
 * violations); otherwise any malformed field makes it an `error`; otherwise it passes.
 */
export function outcomeOf(
  problems: readonly Problem[],
  failReason: string,
  errorReason: string,
): CheckOutcome {
  if (problems.length === 0) return PASS;
  const failures = problems.filter((p) => p.status === 'fail');
  if (failures.length > 0) return fail(failReason, listed(failures));
  const errors = problems.filter((p) => p.status === 'error');
  if (errors.length > 0) return checkError(errorReason, listed(errors));
  return PASS;
}

function listed(problems: readonly Problem[]): string {
  const shown = problems.slice(0, MAX_LISTED).map((p) => p.text);
  const more = problems.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** Judges every container and folds the result into one outcome. */
export function judgeContainers(
  pod: PodSubject,
  reasons: { readonly fail: string; readonly error: string },
  judge: (ref: ContainerRef) => Problem | undefined,
): CheckOutcome {
  return outcomeOf(collectContainerProblems(pod, judge), reasons.fail, reasons.error);
}
