/**
 * metav1.LabelSelector semantics, as the API server applies them: matchLabels and
 * matchExpressions are ANDed; an empty selector matches everything; `In`/`NotIn` need a
 * non-empty value list and `Exists`/`DoesNotExist` none. NetworkPolicy, policy
 * namespaceSelectors and aggregation rules all go through here.
 */
import type { V1LabelSelector } from '@kubernetes/client-node';
import { isRecord } from './objects.js';
import type { Diagnostic } from './types.js';

export type LabelSelector = V1LabelSelector;
type Labels = Readonly<Record<string, string>>;

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Structural problems in a selector, each named by its field path. Empty when valid. */
export function validateSelector(selector: unknown, path: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const problem = (where: string, message: string): void => {
    problems.push({ severity: 'error', path: where, message });
  };
  if (selector === undefined || selector === null) return problems;
  if (!isRecord(selector)) {
    problem(path, 'must be a label selector object');
    return problems;
  }
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) problem(`${path}.matchLabels`, 'must be a map of strings');
    else
      for (const [key, value] of Object.entries(matchLabels)) {
        if (typeof value !== 'string') problem(`${path}.matchLabels.${key}`, 'must be a string');
      }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) problem(`${path}.matchExpressions`, 'must be a list');
    else
      matchExpressions.forEach((expr: unknown, i) => {
        const at = `${path}.matchExpressions[${i}]`;
        if (!isRecord(expr)) return problem(at, 'must be an object');
        if (typeof expr['key'] !== 'string' || expr['key'] === '') problem(`${at}.key`, 'is required');
        const op = expr['operator'];
        if (typeof op !== 'string' || !OPERATORS.has(op)) {
          return problem(
            `${at}.operator`,
            `must be one of In, NotIn, Exists, DoesNotExist (got ${JSON.stringify(op)})`,
          );
        }
        const values = expr['values'];
        const list = Array.isArray(values) ? values : [];
        if (values !== undefined && values !== null && !Array.isArray(values))
          problem(`${at}.values`, 'must be a list');
        if ((op === 'In' || op === 'NotIn') && list.length === 0) {
          problem(`${at}.values`, `must be non-empty when operator is ${op}`);
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && list.length > 0) {
          problem(`${at}.values`, `must be empty when operator is ${op}`);
        }
        if (list.some((v) => typeof v !== 'string')) problem(`${at}.values`, 'must be strings');
      });
  }
  return problems;
}

/**
 * Whether labels satisfy the selector. An absent (undefined/null) selector matches
 * nothing, as for a nil selector in the API; callers whose field defaults to "everything"
 * when absent (e.g. a NetworkPolicy peer without namespaceSelector) decide that themselves.
 * An invalid selector matches nothing, as the API server would refuse it.
 */
export function matchesSelector(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (selector === undefined || selector === null || !isRecord(selector)) return false;
  if (validateSelector(selector, '').length > 0) return false;
  const valid = selector as LabelSelector;
  for (const [key, value] of Object.entries(valid.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expr of valid.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expr.key);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[expr.key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[expr.key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** An empty selector (`{}`) selects everything. */
export function isEmptySelector(selector: LabelSelector | undefined | null): boolean {
  if (!isRecord(selector)) return false;
  const { matchLabels, matchExpressions } = selector as LabelSelector;
  return Object.keys(matchLabels ?? {}).length === 0 && (matchExpressions ?? []).length === 0;
}
