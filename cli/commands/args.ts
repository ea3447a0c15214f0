/** Shared argument handling for the subcommands: node:util parseArgs, `name=value` lists, errors → exit 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_BAD_INPUT, type CliIo } from '../command.ts';
import { isMethodId, isRegistered, METHOD_IDS, type MethodId } from '../../scenarios/method-registry.ts';
import { formatProblem, ScenarioError } from '../../scenarios/problems.ts';
import { MethodNotRegisteredError } from '../../scenarios/method-registry.ts';
import { NotModelledError } from '../../scenarios/build.ts';
// Scenario files are read from disk in the CLI: installs the file reader into scenarios/load.ts.
import '../../scenarios/node.ts';

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(
  args: readonly string[],
  options: Options,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** `name=value` pairs (repeatable flag) → record of text values. */
export function pairs(list: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects name=value, got '${item}'`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

export function methodArg(text: string | undefined): MethodId | undefined {
  if (text === undefined) return undefined;
  if (!isMethodId(text)) throw new UsageError(`unknown method '${text}' (methods: ${METHOD_IDS.join(', ')})`);
  return text;
}

export function methodsArg(text: string | undefined): MethodId[] | undefined {
  return text === undefined ? undefined : text.split(',').map((m) => methodArg(m.trim()) as MethodId);
}

export function intArg(text: string | undefined, flag: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`${flag} expects an integer ≥ ${min}, got '${text}'`);
  return Number(text);
}

/** Reports a thrown error as the CLI does; returns the exit code (2 for every input problem). */
export function reportError(e: unknown, io: CliIo, command: string): number {
  if (e instanceof ScenarioError) {
    io.err(`${command}: ${e.source}: ${e.problems.length} problem(s):`);
    for (const p of e.problems) io.err(`  ${formatProblem(p)}`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof UsageError || e instanceof MethodNotRegisteredError || e instanceof NotModelledError) {
    io.err(`${command}: ${e.message}`);
    if (e instanceof MethodNotRegisteredError)
      io.err(`  registered methods: ${METHOD_IDS.filter((m) => isRegistered(m)).join(', ')} (use --method)`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof Error && e.name === 'OptionError') {
    io.err(`${command}: method option ${e.message}`);
    return EXIT_BAD_INPUT;
  }
  throw e;
}
