/** `dhcpike run SCENARIO`: one method, one seed; metrics, expectations, and optionally the ladder, JSON, trace, pcap. */
import { writeFileSync } from 'node:fs';
import { EXIT_EXPECTATIONS_FAILED, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { formatLadder } from '../../sim/ladder.ts';
import { toJsonl } from '../../sim/trace-jsonl.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import { writePcap } from '../../models/wire/pcap/index.ts';
import { runScenario, type ScenarioRunResult } from '../../scenarios/run.ts';
import { intArg, methodArg, pairs, parse, reportError } from './args.ts';
import { writeFailureRecord } from './failure-record.ts';

const USAGE = `usage: dhcpike run SCENARIO [--method M] [--seed N] [--option name=value]… [--param name=value]…
                   [--ladder] [--json] [--trace FILE.jsonl] [--pcap FILE.pcap] [--record FILE.json]

SCENARIO is a library name (dhcpike scenarios) or a path to a scenario JSON file.
  --method M         dhcp-over-ike, dhcp-over-ike-wg, mode-cfg, mode-cfg-dhcp, dhcp-over-ipsec (default: the scenario's first)
  --seed N           root seed (default: the scenario's)
  --option n=v       set a named policy (dhcpike schema lists them); repeatable
  --param n=v        set a scenario parameter (e.g. lossy's loss=0.2); repeatable
  --ladder           one line per packet
  --json             print { scenario, method, seed, traceSha256, metrics }
  --trace FILE       write the trace as canonical JSONL
  --pcap FILE        write the sent packets as a pcap (LINKTYPE_RAW)
  --record FILE      where to save the failure record when expectations fail (default .dhcpike/failures/…)
Exit: 0 expectations met, 1 expectations failed (a replayable record is written), 2 bad input.`;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function pcapOf(trace: readonly TraceEvent[]): Uint8Array {
  return writePcap(
    trace.flatMap((e) => (e.type === 'send' ? [{ timestampUs: e.atUs, ipv4Bytes: hexToBytes(e.bytes) }] : [])),
  );
}

function us(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v / 1000).toFixed(3)} ms`;
}

export function printSummary(r: ScenarioRunResult, io: CliIo): void {
  const m = r.metrics;
  io.out(`scenario ${r.scenario}  method ${r.method}  seed ${r.seed}`);
  io.out(`trace sha256 ${r.traceSha256}`);
  io.out(
    `addressed ${m.addressed}/${m.clients}  time to address median ${us(m.timeToAddressUs?.median)} p95 ${us(m.timeToAddressUs?.p95)} max ${us(m.timeToAddressUs?.max)}`,
  );
  io.out(
    `first data median ${us(m.timeToFirstDataUs?.median)}  retransmits IKE ${m.retransmits.ike} DHCP ${m.retransmits.dhcp}  failures ${m.failures.total}  overlaps ${m.addressOverlaps}`,
  );
  io.out(`packets sent ${m.packets.sent} delivered ${m.packets.delivered} dropped ${m.packets.dropped}`);
  for (const e of r.expectations) io.out(`${e.ok ? '✓' : '✗'} ${e.expectation}: ${e.detail}`);
}

export async function runRun(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values: v, positionals } = parse(args, {
      method: { type: 'string' },
      seed: { type: 'string' },
      option: { type: 'string', multiple: true },
      param: { type: 'string', multiple: true },
      ladder: { type: 'boolean' },
      json: { type: 'boolean' },
      trace: { type: 'string' },
      pcap: { type: 'string' },
      record: { type: 'string' },
    });
    const [scenario, ...extra] = positionals;
    if (scenario === undefined || extra.length > 0) {
      io.err(USAGE);
      return 2;
    }
    const method = methodArg(v['method'] as string | undefined);
    const seed = intArg(v['seed'] as string | undefined, '--seed');
    const options = pairs(v['option'] as string[] | undefined, '--option');
    const params = pairs(v['param'] as string[] | undefined, '--param');
    const r = runScenario(scenario, {
      ...(method ? { method } : {}),
      ...(seed !== undefined ? { seed } : {}),
      options,
      params,
    });
    if (v['trace']) writeFileSync(v['trace'] as string, toJsonl(r.trace));
    if (v['pcap']) writeFileSync(v['pcap'] as string, pcapOf(r.trace));
    if (v['ladder']) for (const line of formatLadder(r.trace)) io.out(line);
    if (v['json'])
      io.out(
        JSON.stringify({
          scenario: r.scenario,
          method: r.method,
          seed: r.seed,
          traceSha256: r.traceSha256,
          metrics: r.metrics,
        }),
      );
    else printSummary(r, io);
    if (r.ok) return EXIT_OK;
    const path = writeFailureRecord(
      {
        scenario,
        method: r.method,
        seed: r.seed,
        options: r.options,
        params: r.params,
        expectedTraceSha256: r.traceSha256,
      },
      v['record'] as string | undefined,
    );
    io.err(`run: expectations failed; reproduce with: dhcpike replay ${path}`);
    return EXIT_EXPECTATIONS_FAILED;
  } catch (e) {
    return reportError(e, io, 'run');
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a scenario with one method and seed',
  usage: USAGE,
  run: runRun,
};
