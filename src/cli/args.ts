/**
 * Argument parsing on node:util's parseArgs, with the errors rephrased for people
 * ("unknown option --fromat (did you mean --format?)") and raised as UsageError.
 */
import { parseArgs } from 'node:util';
import { suggest } from '../engine/policy.js';
import { UsageError } from './io.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

export function parseCommandArgs(args: readonly string[], options: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  try {
    const parsed = parseArgs({ args: [...args], options: { ...options }, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    const code = error !== null && typeof error === 'object' && 'code' in error ? String(error.code) : '';
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? '';
    const known = Object.keys(options).map((name) => `--${name}`);
    switch (code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option ${option}${suggest(option, known)}`, { cause: error });
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new UsageError(
          message.includes('argument missing') ? `option ${option} needs a value` : `option ${option} takes no value`,
          { cause: error },
        );
      default:
        throw new UsageError(message, { cause: error });
    }
  }
}

/** A string option's value, or undefined; repeated options are a usage error. */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`--${name} may be given once`);
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

/** Checks a value against its allowed set, naming both in the error. */
export function choice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")${suggest(value, allowed)}`);
}
