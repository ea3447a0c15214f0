/** `dhcpike sweep SCENARIO --seeds A..B …` and `dhcpike sweep merge FILES…`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { EXIT_BAD_INPUT, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import type { PolicyValue } from '../../models/methods/policy.ts';
import { loadScenarioOrThrow } from '../../scenarios/load.ts';
import { isRegistered, METHOD_IDS, type MethodId } from '../../scenarios/method-registry.ts';
import { ScenarioError, type Problem } from '../../scenarios/problems.ts';
import {
  checkSweepRecord,
  mergeRecords,
  summarize,
  sweep,
  SUMMARY_PATHS,
  type SweepRecord,
} from '../../scenarios/sweep.ts';
import {
  applyCryptoArg,
  intArg,
  isSeed,
  methodsArg,
  outputPathArg,
  pairs,
  parse,
  reportError,
  SEED_EXPECTED,
  UsageError,
  writeOutput,
} from './args.ts';
import { renderCsv, renderText, type TableData } from './table.ts';

const USAGE = `usage: dhcpike sweep SCENARIO --seeds A..B [--param name=v1,v2,…]… [--option n=v]… [--methods a,b,…]
                     [--workers N] [--shard i/n] [--out FILE.jsonl] [--csv] [--quiet] [--crypto modelled|real]
       dhcpike sweep merge FILES.jsonl… [--csv]

Runs seeds A..B × every parameter combination × methods in worker threads (--workers, default min(2, cores); 0 = in
this thread). --param names a scenario parameter or a policy. --shard i/n runs every n-th job (1 ≤ i ≤ n) of the
canonical order so shards can run on different machines; 'sweep merge' joins their --out files. Records are sorted by
(params, method, seed), so output is identical for any worker count or sharding. The summary shows, per parameter set
and method, the median over seeds of each metric and a distribution-free 95 % interval for the median from order
statistics (exact binomial ranks; below 6 seeds the interval is [min, max] and marked ~). A progress bar (runs done,
runs/s, ETA) is drawn on stderr when it is a terminal; --quiet turns it off. --crypto real: the same as
--option crypto=real (real IKE/ESP cryptography, README "Real crypto").`;

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

/** Reads one shard file: every line a record, checked; problems are named `FILE:LINE: field`. */
function readRecords(file: string, problems: Problem[]): SweepRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new UsageError(`cannot read ${file}: ${typeof code === 'string' ? code : String(e)}`);
  }
  const records: SweepRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      problems.push({ path: where, expected: 'a JSON record', found: e instanceof Error ? e.message : String(e) });
      return;
    }
    const bad = checkSweepRecord(value);
    for (const p of bad) problems.push({ ...p, path: p.path === '' ? where : `${where}: ${p.path}` });
    if (bad.length === 0) records.push(value as SweepRecord);
  });
  return records;
}

function runMerge(args: readonly string[], io: CliIo): number {
  const { values: v, positionals } = parse(args, { csv: { type: 'boolean' }, out: { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('sweep merge needs at least one FILE.jsonl');
  const out = outputPathArg(v['out'] as string | undefined, '--out');
  const problems: Problem[] = [];
  const lists = positionals.map((f) => readRecords(f, problems));
  if (problems.length > 0) throw new ScenarioError(problems, 'sweep merge');
  const merged = mergeRecords(lists);
  if (out !== undefined)
    writeOutput('--out', out, () => writeFileSync(out, merged.map((r) => JSON.stringify(r)).join('\n') + '\n'));
  printRecords(merged, io, v['csv'] === true);
  return EXIT_OK;
}

/** At most this many runs in one sweep (all shards together): the job list is built in memory before sharding. */
export const SWEEP_RUNS_MAX = 1_000_000;

/** `--seeds A..B` (or `A`): both seeds non-negative safe integers, A ≤ B. */
function seedRangeArg(text: string): { from: number; to: number } {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text);
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (!m || !isSeed(from) || !isSeed(to) || to < from)
    throw new UsageError(`--seeds: expected A..B with A ≤ B, each ${SEED_EXPECTED}, found '${text}'`);
  return { from, to };
}

/** Refuses a sweep of more than SWEEP_RUNS_MAX runs before a job is built (counts as BigInt: no rounding). */
function checkRunCount(
  scenario: string,
  seeds: { from: number; to: number },
  params: Readonly<Record<string, readonly PolicyValue[]>>,
  methods: readonly MethodId[] | undefined,
): void {
  const wanted = methods ?? loadScenarioOrThrow(scenario).methods;
  const methodCount = METHOD_IDS.filter((m) => wanted.includes(m) && isRegistered(m)).length;
  let combos = 1n;
  for (const values of Object.values(params)) combos *= BigInt(values.length);
  const seedCount = BigInt(seeds.to) - BigInt(seeds.from) + 1n;
  const runs = seedCount * combos * BigInt(methodCount);
  if (runs > BigInt(SWEEP_RUNS_MAX))
    throw new UsageError(
      `--seeds ${seeds.from}..${seeds.to}: ${seedCount} seeds × ${combos} parameter set(s) × ${methodCount} method(s) = ` +
        `${runs} runs; expected at most ${SWEEP_RUNS_MAX.toLocaleString('en')} runs in one sweep (fewer seeds, values or --methods)`,
    );
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
      quiet: { type: 'boolean' },
      crypto: { type: 'string' },
    });
    const [scenario, ...extra] = positionals;
    if (scenario === undefined || extra.length > 0 || v['seeds'] === undefined) {
      io.err(USAGE);
      return EXIT_BAD_INPUT;
    }
    const seeds = seedRangeArg(v['seeds'] as string);
    // Keys come from users: a record without a prototype (pairs() refuses the reserved names).
    const params = Object.create(null) as Record<string, PolicyValue[]>;
    for (const [k, text] of Object.entries(pairs(v['param'] as string[] | undefined, '--param')))
      params[k] = text.split(',').map(parseValue);
    const out = outputPathArg(v['out'] as string | undefined, '--out');
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
    checkRunCount(scenario, seeds, params, methods);
    const options = pairs(v['option'] as string[] | undefined, '--option');
    applyCryptoArg(v['crypto'] as string | undefined, options);
    const result = await sweep(scenario, {
      seeds,
      params,
      options,
      ...(methods ? { methods } : {}),
      ...(workers !== undefined ? { workers } : {}),
      ...(shard ? { shard } : {}),
      ...(process.stderr.isTTY && v['quiet'] !== true ? { onProgress: progressBar(io, Date.now()) } : {}),
    });
    for (const s of result.skipped) io.err(`sweep: skipped ${s.method}: ${s.reason}`);
    if (out !== undefined)
      writeOutput('--out', out, () =>
        writeFileSync(
          out,
          result.records.map((r) => JSON.stringify(r)).join('\n') + (result.records.length > 0 ? '\n' : ''),
        ),
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
