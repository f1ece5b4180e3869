/**
 * The SecurityPolicies the controller knows, each compiled once per generation. An invalid
 * generation does not replace a valid one: the controller keeps reporting with the last
 * valid generation and says so in the status (SPEC §2), so a typo in a policy never blanks
 * an auditor's reports.
 */
import type { V1Condition } from '@kubernetes/client-node';
import type { Check } from '../engine/check.js';
import type { KubeObject } from '../engine/objects.js';
import type { CompiledPolicy } from '../engine/policy.js';
import { compilePolicy } from '../engine/policy.js';
import type { Diagnostic } from '../engine/types.js';

/** metav1.Condition as it travels as JSON: the client library types the time as a Date. */
export type Condition = Omit<V1Condition, 'lastTransitionTime'> & { lastTransitionTime: string };

export interface PolicyState {
  readonly name: string;
  readonly uid: string | undefined;
  /** metadata.generation of the newest spec seen. */
  readonly generation: number;
  /** The last valid generation, compiled; undefined when none was ever valid. */
  readonly active: CompiledPolicy | undefined;
  readonly activeGeneration: number | undefined;
  /** Diagnostics of the newest generation. */
  readonly diagnostics: readonly Diagnostic[];
  readonly valid: boolean;
  /** The object as last seen, for its status conditions' transition times. */
  readonly object: KubeObject;
}

export interface PolicyUpdate {
  readonly state: PolicyState;
  /** The newest generation was compiled now (it was not seen before). */
  readonly recompiled: boolean;
}

function generationOf(obj: KubeObject): number {
  const generation = obj.metadata?.generation;
  return typeof generation === 'number' ? generation : 0;
}

export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`))
    .join('; ');
}

export class PolicyRegistry {
  private readonly states = new Map<string, PolicyState>();

  constructor(private readonly checks: readonly Check[]) {}

  update(obj: KubeObject): PolicyUpdate | undefined {
    const name = obj.metadata?.name;
    if (typeof name !== 'string' || name === '') return undefined;
    const before = this.states.get(name);
    const generation = generationOf(obj);
    const uid = typeof obj.metadata?.uid === 'string' ? obj.metadata.uid : undefined;
    // Status writes do not bump the generation; a new uid is a new object under an old name.
    if (before !== undefined && before.generation === generation && before.uid === uid) {
      const state = { ...before, object: obj };
      this.states.set(name, state);
      return { state, recompiled: false };
    }
    const { policy, diagnostics } = compilePolicy(obj, this.checks);
    const keepOld = policy === undefined && before !== undefined && before.uid === uid;
    const state: PolicyState = {
      name,
      uid,
      generation,
      active: policy ?? (keepOld ? before.active : undefined),
      activeGeneration: policy !== undefined ? generation : keepOld ? before.activeGeneration : undefined,
      diagnostics,
      valid: policy !== undefined,
      object: obj,
    };
    this.states.set(name, state);
    return { state, recompiled: true };
  }

  remove(name: string): boolean {
    return this.states.delete(name);
  }

  get(name: string): PolicyState | undefined {
    return this.states.get(name);
  }

  /** Policies with a valid generation to evaluate, sorted by name. */
  active(): { state: PolicyState; policy: CompiledPolicy }[] {
    return [...this.states.values()]
      .filter((state): state is PolicyState & { active: CompiledPolicy } => state.active !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((state) => ({ state, policy: state.active }));
  }

  all(): PolicyState[] {
    return [...this.states.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

function condition(
  previous: readonly Condition[],
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  observedGeneration: number,
  now: string,
): Condition {
  const before = previous.find((c) => c.type === type);
  // Kubernetes convention: the transition time moves only when the status does.
  const lastTransitionTime =
    before !== undefined && before.status === status ? String(before.lastTransitionTime) : now;
  return { type, status, reason, message, observedGeneration, lastTransitionTime };
}

/** The `Valid` and `Ready` conditions for a policy's status. */
export function policyConditions(state: PolicyState, evaluated: boolean, now: string): Condition[] {
  const status = state.object['status'];
  const previous: readonly Condition[] =
    status !== null &&
    typeof status === 'object' &&
    Array.isArray((status as { conditions?: unknown }).conditions)
      ? (status as { conditions: Condition[] }).conditions
      : [];
  const valid = state.valid
    ? condition(previous, 'Valid', 'True', 'Valid', 'The policy is valid.', state.generation, now)
    : condition(
        previous,
        'Valid',
        'False',
        'InvalidSpec',
        `${describeDiagnostics(state.diagnostics)}${
          state.activeGeneration !== undefined
            ? ` (still reporting with generation ${state.activeGeneration})`
            : ''
        }`,
        state.generation,
        now,
      );
  const ready =
    state.active === undefined
      ? condition(
          previous,
          'Ready',
          'False',
          'NoValidGeneration',
          'No generation of this policy has been valid yet.',
          state.generation,
          now,
        )
      : !evaluated
        ? condition(
            previous,
            'Ready',
            'False',
            'Evaluating',
            'The first evaluation has not finished.',
            state.generation,
            now,
          )
        : condition(
            previous,
            'Ready',
            'True',
            state.valid ? 'Evaluated' : 'EvaluatedWithPreviousGeneration',
            state.valid ? 'Reports are up to date.' : `Reports use generation ${state.activeGeneration}.`,
            state.generation,
            now,
          );
  return [valid, ready];
}
