/** `dhcpike compare SCENARIO`: every method on the same seed and faults, as a table (methods as columns). */
import { EXIT_EXPECTATIONS_FAILED, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { compare, compareTable } from '../../scenarios/compare.ts';
import { applyCryptoArg, methodsArg, pairs, parse, reportError, seedArg } from './args.ts';
import { cell, renderCsv, renderMarkdown, renderText, type TableData } from './table.ts';

const USAGE = `usage: dhcpike compare SCENARIO [--methods a,b,…] [--seed N] [--option n=v]… [--param n=v]… [--json|--csv|--markdown]
                       [--crypto modelled|real]

Runs every method (default: the scenario's methods that are registered) on the same seed and fault schedule and
prints one row per metric, one column per method; the best value of a row is marked (bold on a terminal, * otherwise).
  --json   print { scenario, seed, results: [{ method, traceSha256, metrics }] }
  --crypto modelled (default) or real IKE/ESP cryptography: the same as --option crypto=…
Exit: 0 all expectations met, 1 some failed, 2 bad input.`;

export async function runCompare(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values: v, positionals } = parse(args, {
      methods: { type: 'string' },
      seed: { type: 'string' },
      option: { type: 'string', multiple: true },
      param: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      markdown: { type: 'boolean' },
      crypto: { type: 'string' },
    });
    const [scenario, ...extra] = positionals;
    if (scenario === undefined || extra.length > 0) {
      io.err(USAGE);
      return 2;
    }
    const methods = methodsArg(v['methods'] as string | undefined);
    const seed = seedArg(v['seed'] as string | undefined);
    const options = pairs(v['option'] as string[] | undefined, '--option');
    applyCryptoArg(v['crypto'] as string | undefined, options);
    const c = compare(scenario, {
      ...(methods ? { methods } : {}),
      ...(seed !== undefined ? { seed } : {}),
      options,
      params: pairs(v['param'] as string[] | undefined, '--param'),
    });
    for (const s of c.skipped) io.err(`compare: skipped ${s.method}: ${s.reason}`);
    if (v['json']) {
      io.out(
        JSON.stringify({
          scenario: c.scenario,
          seed: c.seed,
          results: c.results.map((r) => ({ method: r.method, traceSha256: r.traceSha256, metrics: r.metrics })),
        }),
      );
    } else {
      const t = compareTable(c);
      const data: TableData = {
        header: t.header,
        rows: t.rows.map((r) => [r.metric, ...r.cells.map(cell)]),
        best: t.rows.map((r) => r.best),
      };
      const lines = v['csv'] ? renderCsv(data) : v['markdown'] ? renderMarkdown(data) : renderText(data, io.isTty);
      for (const line of lines) io.out(line);
    }
    return c.results.every((r) => r.ok) ? EXIT_OK : EXIT_EXPECTATIONS_FAILED;
  } catch (e) {
    return reportError(e, io, 'compare');
  }
}

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'run every method on one scenario and seed, side by side',
  usage: USAGE,
  run: runCompare,
};
