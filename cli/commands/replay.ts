/** `dhcpike replay FILE`: re-runs a saved failure record and checks the trace digest. */
import { readFileSync } from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_EXPECTATIONS_FAILED, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { runScenario } from '../../scenarios/run.ts';
import type { PolicyValue } from '../../models/methods/policy.ts';
import { foundText } from '../../scenarios/problems.ts';
import { isSeed, methodArg, parse, reportError, SEED_EXPECTED, UsageError } from './args.ts';
import type { FailureRecord } from './failure-record.ts';
import { printSummary } from './run.ts';

const USAGE = `usage: dhcpike replay FILE.json

Re-runs a failure record { scenario, method, seed, options, params?, expectedTraceSha256 } (written by 'run' when
expectations fail, and by property tests) and reports whether the trace digest matches.
Exit: 0 digest matches, 1 it differs, 2 bad input.`;

function isPolicyRecord(value: unknown): value is Record<string, PolicyValue> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
  );
}

/** A failure record read from a file, checked field by field: a bad one is a UsageError naming the field. */
export function checkFailureRecord(raw: unknown, file: string): FailureRecord {
  const bad = (field: string, expected: string, found: unknown): UsageError =>
    new UsageError(`${file}: ${field}: expected ${expected}, found ${foundText(found)}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw bad('(document)', 'an object { scenario, method, seed, options, params?, expectedTraceSha256 }', raw);
  const rec = raw as Record<string, unknown>;
  const scenario = rec['scenario'];
  if (typeof scenario !== 'string' && (scenario === null || typeof scenario !== 'object'))
    throw bad('scenario', 'a library name, a scenario file path or a scenario object', scenario);
  if (typeof rec['method'] !== 'string') throw bad('method', 'a method id', rec['method']);
  if (!isSeed(rec['seed'])) throw bad('seed', SEED_EXPECTED, rec['seed']);
  if (rec['options'] !== undefined && !isPolicyRecord(rec['options']))
    throw bad('options', 'an object of option values (text, number or boolean)', rec['options']);
  if (rec['params'] !== undefined && !isPolicyRecord(rec['params']))
    throw bad('params', 'an object of parameter values (text, number or boolean)', rec['params']);
  if (typeof rec['expectedTraceSha256'] !== 'string' || !/^[0-9a-f]+$/.test(rec['expectedTraceSha256']))
    throw bad('expectedTraceSha256', 'a SHA-256 digest in lowercase hex', rec['expectedTraceSha256']);
  return {
    scenario,
    method: rec['method'],
    seed: rec['seed'],
    options: (rec['options'] ?? {}) as Record<string, PolicyValue>,
    ...(rec['params'] !== undefined ? { params: rec['params'] as Record<string, PolicyValue> } : {}),
    expectedTraceSha256: rec['expectedTraceSha256'],
  };
}

export async function runReplay(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { positionals } = parse(args, {});
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) {
      io.err(USAGE);
      return EXIT_BAD_INPUT;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const rec = checkFailureRecord(raw, file);
    const method = methodArg(rec.method);
    const r = runScenario(rec.scenario, {
      ...(method ? { method } : {}),
      seed: rec.seed,
      options: rec.options ?? {},
      params: rec.params ?? {},
    });
    printSummary(r, io);
    if (r.traceSha256 === rec.expectedTraceSha256) {
      io.out(`replay: digest matches (${r.traceSha256})`);
      return EXIT_OK;
    }
    io.out(`replay: digest differs: expected ${rec.expectedTraceSha256}, got ${r.traceSha256}`);
    return EXIT_EXPECTATIONS_FAILED;
  } catch (e) {
    return reportError(e, io, 'replay');
  }
}

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 're-run a saved failure record and check its trace digest',
  usage: USAGE,
  run: runReplay,
};
