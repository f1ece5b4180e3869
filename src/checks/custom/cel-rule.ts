/**
 * Custom rules written in CEL, the expression language of Kubernetes' own admission
 * policies. A rule names the kinds it applies to and an expression that must be true for a
 * compliant object; `object` is the object and `namespaceObject` its Namespace (null when
 * unknown), as in a ValidatingAdmissionPolicy. An expression that fails to evaluate on an
 * object (a missing key, a type mismatch) yields an `error` outcome naming the rule, never a
 * pass or a fail: a broken rule must not look like a clean cluster.
 */
import { createRequire } from 'node:module';
import type * as CelJs from '@marcbachmann/cel-js';
import type { Environment, ParseResult } from '@marcbachmann/cel-js';
import type { ObjectCheck } from '../../engine/check.js';
import type { KubeObject } from '../../engine/objects.js';
import { namespaceOf } from '../../engine/objects.js';
import { checkError, fail, PASS } from '../../engine/types.js';
import type { Diagnostic, Severity } from '../../engine/types.js';

/** A rule as written in `spec.rules[]`, after structural validation. */
export interface CelRuleSpec {
  readonly id: string;
  readonly title?: string;
  readonly kinds: readonly string[];
  readonly expression: string;
  readonly message?: string;
  readonly severity: Severity;
  readonly remediation?: string;
}

/** Functions beyond CEL's standard library that rules may call, listed by `bulwark explain`. */
export const CEL_SUPPORTED_FUNCTIONS =
  'CEL standard library (has, in, all, exists, exists_one, map, filter, size, matches, startsWith, endsWith, contains, timestamps, durations) and the string extensions (lowerAscii, upperAscii, split, join, indexOf, replace, trim, substring)';

// Expressions run over every object of their kinds, so bound their size the way the API
// server bounds ValidatingAdmissionPolicy expressions, well below what would stall a scan.
// The library (13 modules, ~50 ms of start-up) loads on the first rule, not with every scan:
// most policies have none. Node 24 loads it synchronously through require.
let environment: Environment | undefined;

function celEnvironment(): Environment {
  if (environment === undefined) {
    const cel = createRequire(import.meta.url)('@marcbachmann/cel-js') as typeof CelJs;
    environment = new cel.Environment({
      homogeneousAggregateLiterals: false,
      enableOptionalTypes: true,
      limits: { maxAstNodes: 5000, maxDepth: 64 },
    })
      .registerVariable('object', 'map')
      .registerVariable('namespaceObject', 'dyn');
  }
  return environment;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** Parses a rule's expression; a syntax error is a diagnostic at `path.expression`. */
export function compileCelRule(
  spec: CelRuleSpec,
  path: string,
): { check?: ObjectCheck; diagnostics: Diagnostic[] } {
  let program: ParseResult;
  try {
    program = celEnvironment().parse(spec.expression);
    const typed = program.check();
    if (!typed.valid) {
      return {
        diagnostics: [
          {
            severity: 'error',
            path: `${path}.expression`,
            message: `invalid CEL: ${firstLine(typed.error)}`,
          },
        ],
      };
    }
    if (typed.type !== undefined && typed.type !== 'bool' && typed.type !== 'dyn') {
      return {
        diagnostics: [
          {
            severity: 'error',
            path: `${path}.expression`,
            message: `must evaluate to bool, not ${typed.type}`,
          },
        ],
      };
    }
  } catch (error) {
    return {
      diagnostics: [
        { severity: 'error', path: `${path}.expression`, message: `invalid CEL: ${firstLine(error)}` },
      ],
    };
  }
  const message = spec.message ?? `violates rule ${spec.id}: ${spec.expression}`;
  const check: ObjectCheck = {
    id: spec.id,
    title: spec.title ?? spec.message ?? spec.id,
    description: `Custom rule: ${spec.expression}`,
    severity: spec.severity,
    category: 'custom',
    profiles: [],
    kinds: spec.kinds,
    frameworks: [],
    remediation: spec.remediation ?? spec.message ?? `Make \`${spec.expression}\` true for this object.`,
    scope: 'object',
    evaluate(object: KubeObject, ctx) {
      const ns = namespaceOf(object);
      const namespaceObject =
        ns === undefined ? null : (ctx.inventory.get('Namespace', undefined, ns) ?? null);
      let result: unknown;
      try {
        result = program({ object, namespaceObject });
      } catch (error) {
        return checkError('EvaluationError', `rule ${spec.id} could not be evaluated: ${firstLine(error)}`);
      }
      if (result === true) return PASS;
      if (result === false) return fail(spec.id, message);
      return checkError('NotBoolean', `rule ${spec.id} returned ${typeof result}, not a bool`);
    },
  };
  return { check, diagnostics: [] };
}
