/** `dhcpike vopr`: the fault-schedule campaign (random schedules × methods, invariants at every step, shrinking). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { EXIT_EXPECTATIONS_FAILED, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { INVARIANT_IDS } from '../../scenarios/invariants/catalog.ts';
import { formatViolation } from '../../scenarios/invariants/checker.ts';
import { libraryDocument, looksLikePath } from '../../scenarios/load.ts';
import { readScenarioFile } from '../../scenarios/node.ts';
import { METHOD_IDS, type MethodId } from '../../scenarios/method-registry.ts';
import { DEFAULT_BOUNDS } from '../../scenarios/vopr/arbitraries.ts';
import { replayCommand, runCampaignParallel, type ScheduleOutcome } from '../../scenarios/vopr/campaign.ts';
import { runChecked } from '../../scenarios/vopr/run-checked.ts';
import { intArg, methodArg, parse, reportError, UsageError } from './args.ts';
import { renderText } from './table.ts';

const USAGE = `usage: dhcpike vopr [--method M|all] [--schedules N] [--seed S] [--scenario FILE-or-NAME] [--workers N]
                    [--out DIR] [--clients-max N] [--faults-max N] [--no-shrink] [--json] [--crypto modelled|real]
       dhcpike vopr --replay FILE.json [--method M] [--seed S]

Runs N random fault schedules (default 100; methods take turns, schedule i runs method i mod n): 1–50 clients, lossy,
bursty, duplicating, reordering, MTU-limited links, link failures, partitions, gateway and DHCP server crashes and
stalls, client crashes, disconnects and reconnects at random moments, then every fault healed. Every safety invariant
is checked at every trace event; liveness after the heal plus a quiet period (README "Invariants"). --seed S alone
replays exactly the one schedule S; with --schedules, S is the campaign seed (schedule 0 is S itself). With
--scenario the faults are laid over that scenario's topology and workload instead of a generated one. A violation is
shrunk to a minimal scenario file written to --out (default .dhcpike/vopr) with the command that replays it; the exit
code is then 1. --replay runs one scenario file with the checker and lists every violation. --crypto real runs every
schedule with real IKE/ESP cryptography (slower; the same decisions as modelled, README "Real crypto").`;

function seedArg(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) > 0x7fffffff)
    throw new UsageError(`--seed expects an integer from 0 to 2147483647, got '${text}'`);
  return Number(text);
}

function baseDocument(nameOrPath: string): unknown {
  if (!looksLikePath(nameOrPath)) {
    const doc = libraryDocument(nameOrPath);
    if (doc === undefined) throw new UsageError(`--scenario: no library scenario named '${nameOrPath}'`);
    return doc;
  }
  const r = readScenarioFile(nameOrPath);
  if (r.problems.length > 0) throw new UsageError(`--scenario: ${r.problems.map((p) => p.expected).join('; ')}`);
  return r.raw;
}

function replay(file: string, method: MethodId | undefined, seed: number | undefined, io: CliIo): number {
  const run = runChecked(file, {
    stopAtFirst: false,
    deterministic: true,
    ...(method ? { method } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
  io.out(`${file}: ${run.method} seed ${run.seed}, ${run.eventsRun} events, traceSha256 ${run.traceSha256}`);
  if (run.context.liveness === undefined) io.out('liveness not judged: the run ends before the quiet period does');
  for (const v of run.violations) io.out(formatViolation(v));
  io.out(run.violations.length === 0 ? 'no violation' : `${run.violations.length} violation(s)`);
  return run.violations.length === 0 ? EXIT_OK : EXIT_EXPECTATIONS_FAILED;
}

function progress(total: number): (done: number, failed: number) => void {
  const startMs = Date.now();
  return (done, failed) => {
    const rate = (done * 1000) / Math.max(1, Date.now() - startMs);
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)} schedules/s, ${failed} failed${done === total ? '\n' : ''}`,
    );
  };
}

function writeFailure(dir: string, r: ScheduleOutcome): string | undefined {
  if (r.shrunk === undefined) return undefined;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `vopr-${r.method}-${r.seed}.json`);
  writeFileSync(file, JSON.stringify(r.shrunk.scenario, null, 2) + '\n');
  return file;
}

async function runVopr(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values: v, positionals } = parse(args, {
      method: { type: 'string' },
      schedules: { type: 'string' },
      seed: { type: 'string' },
      scenario: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      'clients-max': { type: 'string' },
      'faults-max': { type: 'string' },
      'no-shrink': { type: 'boolean' },
      json: { type: 'boolean' },
      replay: { type: 'string' },
      crypto: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
    const methodText = v['method'] as string | undefined;
    const methods: MethodId[] =
      methodText === undefined || methodText === 'all' ? [...METHOD_IDS] : [methodArg(methodText) as MethodId];
    const seedGiven = seedArg(v['seed'] as string | undefined);
    if (v['replay'] !== undefined)
      return replay(
        v['replay'] as string,
        methodText === undefined || methodText === 'all' ? undefined : methods[0],
        seedGiven,
        io,
      );
    const schedulesGiven = intArg(v['schedules'] as string | undefined, '--schedules', 1);
    if (schedulesGiven !== undefined && schedulesGiven > 1_000_000)
      throw new UsageError(`--schedules: at most 1000000 per run, got ${schedulesGiven} (shard with --seed)`);
    const schedules = schedulesGiven ?? (seedGiven !== undefined ? 1 : 100);
    // The CLI may draw a seed from the wall clock (sim/ and models/ never do): it is printed, so the run replays.
    const seed = seedGiven ?? Date.now() % 0x7fffffff;
    const bounds = {
      clientsMax: intArg(v['clients-max'] as string | undefined, '--clients-max', 1) ?? DEFAULT_BOUNDS.clientsMax,
      faultsMax: intArg(v['faults-max'] as string | undefined, '--faults-max', 0) ?? DEFAULT_BOUNDS.faultsMax,
      horizonMsMax: DEFAULT_BOUNDS.horizonMsMax,
    };
    if (bounds.clientsMax > 200) throw new UsageError(`--clients-max: at most 200, got ${bounds.clientsMax}`);
    if (bounds.faultsMax > 100) throw new UsageError(`--faults-max: at most 100, got ${bounds.faultsMax}`);
    const workersAsked = intArg(v['workers'] as string | undefined, '--workers') ?? Math.min(2, availableParallelism());
    // One schedule runs in this thread (a replay): no worker start-up.
    const workers = schedules === 1 ? 0 : workersAsked;
    const base = v['scenario'] === undefined ? undefined : baseDocument(v['scenario'] as string);
    const crypto = v['crypto'] as string | undefined;
    if (crypto !== undefined && crypto !== 'modelled' && crypto !== 'real')
      throw new UsageError(`--crypto expects modelled or real, got '${crypto}'`);
    const outDir = (v['out'] as string | undefined) ?? join('.dhcpike', 'vopr');
    io.err(
      `vopr: ${schedules} schedule(s), seed ${seed}, methods ${methods.join(', ')}${base === undefined ? '' : `, over ${String(v['scenario'])}`}, ${workers} worker(s)`,
    );
    const tick = process.stderr.isTTY ? progress(schedules) : undefined;
    const startMs = Date.now();
    let done = 0;
    let failedCount = 0;
    const results = await runCampaignParallel(
      {
        methods,
        schedules,
        seed,
        bounds,
        ...(v['no-shrink'] === true ? { shrink: false } : {}),
        ...(base === undefined ? {} : { base }),
        ...(crypto === 'real' ? { crypto: 'real' as const } : {}),
      },
      workers,
      (r) => {
        done++;
        if (r.violations.length > 0) failedCount++;
        tick?.(done, failedCount);
      },
    );
    const wallS = (Date.now() - startMs) / 1000;
    const perMethod = methods.map((m) => {
      const rs = results.filter((r) => r.method === m);
      return {
        method: m,
        schedules: rs.length,
        failed: rs.filter((r) => r.violations.length > 0).length,
        structuralLeaseOverruns: rs.reduce((n, r) => n + r.structuralLeaseOverruns, 0),
        structuralTheft: rs.reduce((n, r) => n + r.structuralTheft, 0),
      };
    });
    const byInvariant: Record<string, number> = {};
    for (const id of INVARIANT_IDS) byInvariant[id] = 0;
    for (const r of results) {
      const first = r.violations[0];
      if (first !== undefined) byInvariant[first.invariant] = (byInvariant[first.invariant] ?? 0) + 1;
    }
    const failures = results.filter((r) => r.violations.length > 0);
    const attacks: Record<string, number> = {};
    for (const r of results) for (const [k, n] of Object.entries(r.attacksTried)) attacks[k] = (attacks[k] ?? 0) + n;
    const thefts = results.reduce((n, r) => n + r.structuralTheft, 0);
    const refusedAll = !failures.some((r) => r.violations[0]?.invariant === 'attack.refused');
    const files = new Map<ScheduleOutcome, string | undefined>(failures.map((r) => [r, writeFailure(outDir, r)]));
    if (v['json'] === true) {
      io.out(
        JSON.stringify({
          seed,
          schedules,
          wallS,
          schedulesPerSec: schedules / Math.max(wallS, 1e-9),
          perMethod,
          byInvariant,
          attacksTried: attacks,
          failures: failures.map((r) => ({
            method: r.method,
            seed: r.seed,
            violation: r.violations[0],
            shrunk: r.shrunk === undefined ? null : { clients: r.shrunk.clients, faults: r.shrunk.faults },
            file: files.get(r) ?? null,
            replay: replayCommand(r),
          })),
        }),
      );
    } else {
      const rows = perMethod.map((p) => [
        p.method,
        String(p.schedules),
        String(p.failed),
        String(p.structuralLeaseOverruns),
        String(p.structuralTheft),
      ]);
      const header = ['method', 'schedules', 'violations', 'structural: lease overruns', 'structural: thefts'];
      for (const line of renderText({ header, rows }, io.isTty)) io.out(line);
      io.out(
        `${schedules} schedules in ${wallS.toFixed(1)} s: ${(schedules / Math.max(wallS, 1e-9)).toFixed(2)} schedules/s`,
      );
      const hit = Object.entries(byInvariant).filter(([, n]) => n > 0);
      io.out(
        hit.length === 0
          ? 'per invariant: no violation'
          : `per invariant (first violation of each failed schedule): ${hit.map(([k, n]) => `${k} ${n}`).join(', ')}`,
      );
      const tried = Object.entries(attacks).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      if (tried.length > 0)
        io.out(
          `attacks tried: ${tried.map(([k, n]) => `${k} ${n}`).join(', ')}${
            !refusedAll
              ? ''
              : thefts > 0
                ? ` (all refused but ${thefts} structural lease theft(s), see README)`
                : ' (all refused)'
          }`,
        );
      for (const r of failures) {
        const first = r.violations[0];
        if (first === undefined) continue;
        io.out('');
        io.out(`${r.method} seed ${r.seed} (${r.clients} clients, ${r.faults} faults): ${formatViolation(first)}`);
        io.out(`  replay:        ${replayCommand(r)}`);
        const file = files.get(r);
        if (file !== undefined && r.shrunk !== undefined) {
          io.out(`  shrunk to ${r.shrunk.clients} client(s), ${r.shrunk.faults} fault(s): ${file}`);
          io.out(`  replay shrunk: npx dhcpike vopr --replay ${file}`);
        }
      }
    }
    return failures.length === 0 ? EXIT_OK : EXIT_EXPECTATIONS_FAILED;
  } catch (e) {
    return reportError(e, io, 'vopr');
  }
}

export const voprCommand: CliCommand = {
  name: 'vopr',
  summary: 'random fault schedules × methods with every invariant checked; shrinks failures to scenario files',
  usage: USAGE,
  run: runVopr,
};
