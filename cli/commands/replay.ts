/** `dhcpike replay FILE`: re-runs a saved failure record and checks the trace digest. */
import { readFileSync } from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_EXPECTATIONS_FAILED, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { runScenario } from '../../scenarios/run.ts';
import { methodArg, parse, reportError, UsageError } from './args.ts';
import type { FailureRecord } from './failure-record.ts';
import { printSummary } from './run.ts';

const USAGE = `usage: dhcpike replay FILE.json

Re-runs a failure record { scenario, method, seed, options, params?, expectedTraceSha256 } (written by 'run' when
expectations fail, and by property tests) and reports whether the trace digest matches.
Exit: 0 digest matches, 1 it differs, 2 bad input.`;

export async function runReplay(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { positionals } = parse(args, {});
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) {
      io.err(USAGE);
      return EXIT_BAD_INPUT;
    }
    let rec: FailureRecord;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as FailureRecord;
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof rec.expectedTraceSha256 !== 'string' || typeof rec.seed !== 'number' || rec.scenario === undefined)
      throw new UsageError(`${file}: expected { scenario, method, seed, options, expectedTraceSha256 }`);
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
