/** `dhcpike sweep SCENARIO --seeds A..B …` and `dhcpike sweep merge FILES…`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import type { PolicyValue } from '../../models/methods/policy.ts';
import {
  mergeRecords,
  parseSeedRange,
  summarize,
  sweep,
  SUMMARY_PATHS,
  type SweepRecord,
} from '../../scenarios/sweep.ts';
import { intArg, methodsArg, pairs, parse, reportError, UsageError } from './args.ts';
import { renderCsv, renderText, type TableData } from './table.ts';

const USAGE = `usage: dhcpike sweep SCENARIO --seeds A..B [--param name=v1,v2,…]… [--option n=v]… [--methods a,b,…]
                     [--workers N] [--shard i/n] [--out FILE.jsonl] [--csv]
       dhcpike sweep merge FILES.jsonl… [--csv]

Runs seeds A..B × every parameter combination × methods in worker threads (--workers, default min(2, cores); 0 = in
this thread). --param names a scenario parameter or a policy. --shard i/n runs every n-th job (1 ≤ i ≤ n) of the
canonical order so shards can run on different machines; 'sweep merge' joins their --out files. Records are sorted by
(params, method, seed), so output is identical for any worker count or sharding. The summary shows, per parameter set
and method, the median over seeds of each metric and a distribution-free 95 % interval for the median from order
statistics (exact binomial ranks; below 6 seeds the interval is [min, max] and marked ~).`;

function parseValue(text: string): PolicyValue {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

function progressBar(io: CliIo, startMs: number): (done: number, total: number) => void {
  return (done, total) => {
    const elapsedMs = Date.now() - startMs;
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const etaS = rate > 0 ? Math.round((total - done) / rate) : 0;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)} runs/s ETA ${etaS}s${done === total ? '\n' : ''}`,
    );
  };
}

/** Metrics as rows, one column per (parameter set, method): `median [low, high]` over the seeds. */
function summaryTable(records: readonly SweepRecord[]): TableData {
  const groups = summarize(records);
  const paths = SUMMARY_PATHS.filter((p) => groups.some((g) => g.metrics[p] !== null));
  const label = (g: (typeof groups)[number]): string =>
    [...Object.entries(g.params).map(([k, v]) => `${k}=${String(v)}`), g.method].join(' ');
  return {
    header: ['metric', ...groups.map(label)],
    rows: [
      ['runs', ...groups.map((g) => String(g.runs))],
      ['failed', ...groups.map((g) => String(g.failed))],
      ...paths.map((p) => [
        p,
        ...groups.map((g) => {
          const m = g.metrics[p];
          return m === null || m === undefined ? '—' : `${m.median} [${m.low}, ${m.high}]${m.exact ? '' : '~'}`;
        }),
      ]),
    ],
  };
}

function printRecords(records: readonly SweepRecord[], io: CliIo, csv: boolean): void {
  const t = summaryTable(records);
  for (const line of csv ? renderCsv(t) : renderText(t, io.isTty)) io.out(line);
  for (const r of records) if (r.error !== undefined) io.err(`sweep: ${r.method} seed ${r.seed}: ${r.error}`);
}

function runMerge(args: readonly string[], io: CliIo): number {
  const { values: v, positionals } = parse(args, { csv: { type: 'boolean' }, out: { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('sweep merge needs at least one FILE.jsonl');
  const lists = positionals.map((f) => {
    try {
      return readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as SweepRecord);
    } catch (e) {
      throw new UsageError(`cannot read ${f}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const merged = mergeRecords(lists);
  if (v['out']) writeFileSync(v['out'] as string, merged.map((r) => JSON.stringify(r)).join('\n') + '\n');
  printRecords(merged, io, v['csv'] === true);
  return EXIT_OK;
}

export async function runSweep(args: readonly string[], io: CliIo): Promise<number> {
  try {
    if (args[0] === 'merge') return runMerge(args.slice(1), io);
    const { values: v, positionals } = parse(args, {
      seeds: { type: 'string' },
      param: { type: 'string', multiple: true },
      option: { type: 'string', multiple: true },
      methods: { type: 'string' },
      workers: { type: 'string' },
      shard: { type: 'string' },
      out: { type: 'string' },
      csv: { type: 'boolean' },
    });
    const [scenario, ...extra] = positionals;
    if (scenario === undefined || extra.length > 0 || v['seeds'] === undefined) {
      io.err(USAGE);
      return EXIT_BAD_INPUT;
    }
    const seeds = parseSeedRange(v['seeds'] as string);
    if (seeds === undefined) throw new UsageError(`--seeds expects A..B with A ≤ B, got '${String(v['seeds'])}'`);
    const params: Record<string, PolicyValue[]> = {};
    for (const [k, text] of Object.entries(pairs(v['param'] as string[] | undefined, '--param')))
      params[k] = text.split(',').map(parseValue);
    let shard: { index: number; count: number } | undefined;
    if (v['shard'] !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(v['shard'] as string);
      const index = Number(m?.[1]);
      const count = Number(m?.[2]);
      if (!m || count < 1 || index < 1 || index > count)
        throw new UsageError(`--shard expects i/n with 1 ≤ i ≤ n, got '${String(v['shard'])}'`);
      shard = { index, count };
    }
    const methods = methodsArg(v['methods'] as string | undefined);
    const workers = intArg(v['workers'] as string | undefined, '--workers');
    const result = await sweep(scenario, {
      seeds,
      params,
      options: pairs(v['option'] as string[] | undefined, '--option'),
      ...(methods ? { methods } : {}),
      ...(workers !== undefined ? { workers } : {}),
      ...(shard ? { shard } : {}),
      ...(process.stderr.isTTY ? { onProgress: progressBar(io, Date.now()) } : {}),
    });
    for (const s of result.skipped) io.err(`sweep: skipped ${s.method}: ${s.reason}`);
    if (v['out'])
      writeFileSync(
        v['out'] as string,
        result.records.map((r) => JSON.stringify(r)).join('\n') + (result.records.length > 0 ? '\n' : ''),
      );
    printRecords(result.records, io, v['csv'] === true);
    return EXIT_OK;
  } catch (e) {
    return reportError(e, io, 'sweep');
  }
}

export const sweepCommand: CliCommand = {
  name: 'sweep',
  summary: 'run seeds × parameters × methods in worker threads; merge shards',
  usage: USAGE,
  run: runSweep,
};
