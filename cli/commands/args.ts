/** Shared argument handling for the subcommands: node:util parseArgs, `name=value` lists, errors → exit 2. */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_BAD_INPUT, type CliIo } from '../command.ts';
import { isMethodId, isRegistered, METHOD_IDS, type MethodId } from '../../scenarios/method-registry.ts';
import { formatProblem, ScenarioError } from '../../scenarios/problems.ts';
import { MethodNotRegisteredError } from '../../scenarios/method-registry.ts';
import { NotModelledError } from '../../scenarios/build.ts';
// Scenario files are read from disk in the CLI: installs the file reader into scenarios/load.ts.
import '../../scenarios/node.ts';
import { STATECHART_RUNTIMES } from '../../sim/statechart/runtime-choice.ts';
import type { StatechartRuntime } from '../../sim/statechart/index.ts';

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

/**
 * Names that would reach an object's prototype machinery instead of being a key of it (`out['__proto__'] = v` sets
 * the prototype, so the pair silently vanished). No option or parameter is called that; naming one is an input error.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `name=value` pairs (repeatable flag) → record of text values. The record has no prototype, so every user-given
 * name is an own key that the loader checks against the known names (an unknown one is reported, not dropped).
 */
export function pairs(list: readonly string[] | undefined, flag: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const item of list ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects name=value, got '${item}'`);
    const name = item.slice(0, at);
    if (FORBIDDEN_NAMES.has(name))
      throw new UsageError(`${flag} ${name}: expected an option or parameter name, found the reserved name '${name}'`);
    out[name] = item.slice(at + 1);
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
    throw new UsageError(`${flag} expects an integer ≥ ${min} (at most ${Number.MAX_SAFE_INTEGER}), got '${text}'`);
  return Number(text);
}

/** What every seed must be: the seeded streams (sim/rng.ts) take a non-negative safe integer. */
export const SEED_EXPECTED = `a non-negative safe integer (0 … ${Number.MAX_SAFE_INTEGER})`;

export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** `--seed N`: a non-negative safe integer, else exit 2 naming the option. */
export function seedArg(text: string | undefined, flag = '--seed'): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!isSeed(n)) throw new UsageError(`${flag}: expected ${SEED_EXPECTED}, found '${text}'`);
  return n;
}

/**
 * An output file option (`--trace`, `--pcap`, `--out`, …), checked before anything runs: not a directory, and its
 * folder exists (unless `createDirs`, for paths whose folders are made on demand). Writing it later can still fail
 * (permissions, a full disk): `writeOutput` reports that as one line too.
 */
export function outputPathArg(path: string | undefined, flag: string, createDirs = false): string | undefined {
  if (path === undefined) return undefined;
  if (path === '') throw new UsageError(`${flag}: expected a file path, found ''`);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`${flag} ${path}: expected a file path, found a directory`);
  // The nearest existing ancestor must be a directory (a file there makes every path below it unwritable).
  let dir = dirname(resolve(path));
  if (!createDirs && !existsSync(dir))
    throw new UsageError(`${flag} ${path}: expected a file in an existing directory, found no directory ${dir}`);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory())
    throw new UsageError(`${flag} ${path}: expected a file in a directory, found a file at ${dir}`);
  return path;
}

/** Runs a write of an output option's file; a failure (EACCES, ENOSPC, …) is a one-line UsageError naming the option. */
export function writeOutput<T>(flag: string, path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new UsageError(
      `${flag} ${path}: cannot write (${typeof code === 'string' ? code : e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/** At most this many problems are printed for one bad scenario (all are counted). */
export const PROBLEMS_SHOWN = 50;

/** Reports a thrown error as the CLI does; returns the exit code (2 for every input problem). */
export function reportError(e: unknown, io: CliIo, command: string): number {
  if (e instanceof ScenarioError) {
    io.err(`${command}: ${e.source}: ${e.problems.length} problem(s):`);
    // A generated file can hold hundreds of thousands of bad entries: list the first ones, count the rest.
    for (const p of e.problems.slice(0, PROBLEMS_SHOWN)) io.err(`  ${formatProblem(p)}`);
    if (e.problems.length > PROBLEMS_SHOWN) io.err(`  … and ${e.problems.length - PROBLEMS_SHOWN} more`);
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

/**
 * `--crypto modelled|real`: sugar for `--option crypto=…`, written into `options` (so it reaches the run's options,
 * failure records and sweep records like any option). A value other than the two, or one that contradicts an explicit
 * `--option crypto=`, is a usage error.
 */
export function applyCryptoArg(text: string | undefined, options: Record<string, string>): void {
  if (text === undefined) return;
  if (text !== 'modelled' && text !== 'real')
    throw new UsageError(`--crypto: expected modelled or real, found '${text}'`);
  if (options['crypto'] !== undefined && options['crypto'] !== text)
    throw new UsageError(`--crypto ${text} contradicts --option crypto=${options['crypto']}`);
  options['crypto'] = text;
}

/** `--runtime fast|xstate`: the interpreter of the machines (sim/statechart/runtime-choice.ts); absent: the default. */
export function runtimeArg(text: string | undefined): StatechartRuntime | undefined {
  if (text === undefined) return undefined;
  const runtime = STATECHART_RUNTIMES.find((r) => r === text);
  if (runtime === undefined)
    throw new UsageError(`--runtime: expected ${STATECHART_RUNTIMES.join(' or ')}, found '${text}'`);
  return runtime;
}
