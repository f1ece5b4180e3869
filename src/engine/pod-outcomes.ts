/**
 * Pod-check outcomes computed apart from an evaluation — by the scanner on other threads,
 * each for the objects it parsed — and handed to `evaluate`, which then records them
 * instead of running the pod checks again. Pod checks are the bulk of a scan's work and
 * need little beside the pod (see POD_CHECK_READS in check.ts), so they split well.
 *
 * The table is flat and small to move between threads: one status byte per (object, check)
 * and the reason and message of each failure or error, in order.
 */
import type { KubeObject } from './objects.js';
import type { CheckOutcome } from './types.js';
import { PASS } from './types.js';

export interface PodOutcomeTable {
  /** The policy's pod checks, in the order of each object's statuses. */
  readonly checkIds: readonly string[];
  /** Per object (in the order given) and check: see STATUS. */
  readonly statuses: Uint8Array;
  /** Reason then message of every `fail` and `error` status, in the statuses' order. */
  readonly details: readonly string[];
}

export const STATUS = { skip: 0, pass: 1, fail: 2, error: 3 } as const;

// Skips are dropped when recorded, so their reason need not travel.
const SKIPPED: CheckOutcome = Object.freeze({ status: 'skip', reason: 'EvaluatedElsewhere' });

/** Outcomes of pod checks known in advance for some objects. */
export interface PodOutcomes {
  /** The pod checks each row has an outcome for, in order. */
  readonly checkIds: readonly string[];
  /** An object's outcomes, one per check, or undefined when the evaluation must run them. */
  rowOf(obj: KubeObject): readonly CheckOutcome[] | undefined;
  /** Takes the outcomes an evaluation ran for an object that rowOf had none for. */
  remember?(obj: KubeObject, row: readonly CheckOutcome[]): void;
}

/** Joins tables, each computed for a list of objects (the same objects, by identity, that the evaluation's inventory holds). */
export function podOutcomesFrom(
  checkIds: readonly string[],
  parts: readonly { readonly objects: readonly KubeObject[]; readonly table: PodOutcomeTable }[],
): PodOutcomes {
  const rows = new Map<KubeObject, readonly CheckOutcome[]>();
  for (const { objects, table } of parts) {
    if (!sameIds(table.checkIds, checkIds)) {
      throw new Error(
        `pod outcomes for checks [${table.checkIds.join(', ')}] cannot stand for [${checkIds.join(', ')}]`,
      );
    }
    const width = checkIds.length;
    if (table.statuses.length !== objects.length * width) {
      throw new Error(
        `pod outcomes hold ${table.statuses.length} statuses for ${objects.length} objects × ${width} checks`,
      );
    }
    let detail = 0;
    objects.forEach((obj, row) => {
      const outcomes: CheckOutcome[] = [];
      for (let column = 0; column < width; column++) {
        const status = table.statuses[row * width + column];
        if (status === STATUS.pass) outcomes.push(PASS);
        else if (status === STATUS.fail || status === STATUS.error) {
          const reason = table.details[detail++] ?? '';
          const message = table.details[detail++] ?? '';
          outcomes.push({ status: status === STATUS.fail ? 'fail' : 'error', reason, message });
        } else outcomes.push(SKIPPED);
      }
      rows.set(obj, outcomes);
    });
  }
  return { checkIds, rowOf: (obj) => rows.get(obj) };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
