/** `dhcpike run SCENARIO`: one method, one seed; metrics, expectations, and optionally the ladder, JSON, trace, pcap. */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { EXIT_EXPECTATIONS_FAILED, EXIT_OK, type CliCommand, type CliIo } from '../command.ts';
import { formatLadder } from '../../sim/ladder.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import { writePcap } from '../../models/wire/pcap/index.ts';
import { loadScenarioOrThrow } from '../../scenarios/load.ts';
import { parseExternalDhcpArg, withExternalDhcp } from '../../scenarios/external-dhcp.ts';
import { parseExternalIkeArg, withExternalGateway } from '../../scenarios/external-ike.ts';
import { runScenario, type NoDigestRunResult, type ScenarioRunResult } from '../../scenarios/run.ts';
import { keyEntriesOfTrace, tsharkCommand, wiresharkKeysText } from '../../scenarios/keys-export.ts';
import {
  applyCryptoArg,
  runtimeArg,
  intArg,
  methodArg,
  outputPathArg,
  pairs,
  parse,
  reportError,
  seedArg,
  UsageError,
  writeOutput,
} from './args.ts';
import { writeFailureRecord } from './failure-record.ts';
import { applyHeapGrowingFor } from '../../bin/node-flags.js';
import { defaultMaxHeapMb, RunWatch, WATCH_EVERY_EVENTS } from './run-watch.ts';

const USAGE = `usage: dhcpike run SCENARIO [--method M] [--seed N] [--option name=value]… [--param name=value]…
                   [--crypto modelled|real] [--ladder] [--json] [--trace FILE.jsonl] [--pcap FILE.pcap]
                   [--keys FILE.keys] [--record FILE.json] [--max-events N]
                   [--max-heap-mb N] [--no-digest] [--dhcp-external ADDRESS[:PORT]]
                   [--gateway-external ADDRESS[:PORT]] [--quiet] [--runtime fast|xstate]

SCENARIO is a library name (dhcpike scenarios) or a path to a scenario JSON file.
  --method M         dhcp-over-ike, dhcp-over-ike-wg, mode-cfg, mode-cfg-dhcp, dhcp-over-ipsec (default: the scenario's first)
  --seed N           root seed (default: the scenario's)
  --option n=v       set a named policy (dhcpike schema lists them); repeatable
  --param n=v        set a scenario parameter (e.g. lossy's loss=0.2); repeatable
  --crypto C         modelled (default) or real IKE/ESP cryptography: the same as --option crypto=C
  --ladder           one line per packet
  --json             print { scenario, method, seed, traceSha256, metrics }
  --trace FILE       write the trace as canonical JSONL
  --pcap FILE        write the sent packets as a pcap (LINKTYPE_RAW)
  --keys FILE        write the run's IKE and ESP keys as Wireshark ikev2_decryption_table and esp_sa lines (needs
                     --crypto real); open the capture with
                     ${tsharkCommand('FILE.pcap', 'FILE.keys')}
  --record FILE      where to save the failure record when expectations fail (default .dhcpike/failures/…)
  --max-events N     stop a run that needs more than N simulator events (default 50000000) with exit 2
  --max-heap-mb N    stop a run whose heap grows past N MB with exit 2 (default 90 % of Node's heap limit)
  --no-digest        skip the trace digest (canonical JSON + SHA-256): faster, metrics unchanged, no sha256 printed,
                     no failure record; for large runs and benchmarks
  --dhcp-external A[:P]  the scenario's DHCP servers are a real one at A:P (default port 67), reached over UDP
                     from 127.0.0.2:67 as its relay; virtual time stands still while it answers; not hermetic
  --gateway-external A[:P]  the scenario's gateways are a real IKEv2 gateway at A:P (default port 500, NAT-T 4500),
                     reached over UDP from the first client's address, ports 500 and 4500 (root); give the client
                     that address and the gateway A so NAT detection sees no NAT; virtual time stands still while
                     it answers; not hermetic
  --quiet            no progress line (drawn on stderr only when it is a terminal)
  --runtime R        the machines' interpreter: fast (default) or xstate's own; the same trace and digest either
                     way (a cross-check), xstate is slower
Limits of a scenario: nesting 32 levels deep, 100000 faults, 100000 workload actions, 100000 clients in all.
Exit: 0 expectations met, 1 expectations failed (a replayable record is written), 2 bad input or --max-events hit.`;

/** The default of --max-events: generous (a 20,000-client connect storm runs well below it) yet a bound. */
export const MAX_EVENTS_DEFAULT = 50_000_000;

/** Trace lines are written in chunks of about this many characters (one write per line would be a syscall each). */
const TRACE_CHUNK_CHARS = 1 << 16;

/**
 * Streams the trace to a file as it is recorded, so the run need not keep every event for --trace. Lines arrive
 * from inside the engine (some from xstate actions, which report a throw asynchronously), so a write error is kept
 * and reported after the run instead of being thrown here.
 */
class TraceFile {
  private readonly fd: number;
  private pending = '';
  private failure: string | undefined;

  constructor(readonly path: string) {
    this.fd = writeOutput('--trace', path, () => openSync(path, 'w'));
  }

  line(text: string): void {
    if (this.failure !== undefined) return;
    this.pending += `${text}\n`;
    if (this.pending.length >= TRACE_CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    const chunk = this.pending;
    this.pending = '';
    if (chunk === '' || this.failure !== undefined) return;
    try {
      writeSync(this.fd, chunk);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      this.failure = typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
    }
  }

  /** Writes what is pending and closes the file; throws a UsageError naming --trace if any write failed. */
  close(): void {
    this.flush();
    closeSync(this.fd);
    if (this.failure !== undefined) throw new UsageError(`--trace ${this.path}: cannot write (${this.failure})`);
  }
}

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

export function printSummary(r: ScenarioRunResult | NoDigestRunResult, io: CliIo): void {
  const m = r.metrics;
  io.out(`scenario ${r.scenario}  method ${r.method}  seed ${r.seed}`);
  io.out(`trace sha256 ${r.traceSha256 ?? 'not computed (--no-digest)'}`);
  if (!r.hermetic) io.out('not hermetic: a real DHCP server or IKE gateway answered (the digest depends on it)');
  io.out(
    `addressed ${m.addressed}/${m.clients}  time to address median ${us(m.timeToAddressUs?.median)} p95 ${us(m.timeToAddressUs?.p95)} max ${us(m.timeToAddressUs?.max)}`,
  );
  io.out(
    `first data median ${us(m.timeToFirstDataUs?.median)}  retransmits IKE ${m.retransmits.ike} DHCP ${m.retransmits.dhcp}  failures ${m.failures.total}  overlaps ${m.addressOverlaps}`,
  );
  io.out(`packets sent ${m.packets.sent} delivered ${m.packets.delivered} dropped ${m.packets.dropped}`);
  for (const e of r.expectations) io.out(`${e.ok ? '✓' : '✗'} ${e.expectation}: ${e.detail} (over ${e.population})`);
}

export async function runRun(args: readonly string[], io: CliIo): Promise<number> {
  let traceFile: TraceFile | undefined;
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
      keys: { type: 'string' },
      crypto: { type: 'string' },
      record: { type: 'string' },
      'max-events': { type: 'string' },
      'max-heap-mb': { type: 'string' },
      'no-digest': { type: 'boolean' },
      'dhcp-external': { type: 'string' },
      'gateway-external': { type: 'string' },
      quiet: { type: 'boolean' },
      runtime: { type: 'string' },
    });
    const [scenario, ...extra] = positionals;
    if (scenario === undefined || extra.length > 0) {
      io.err(USAGE);
      return 2;
    }
    const method = methodArg(v['method'] as string | undefined);
    const seed = seedArg(v['seed'] as string | undefined);
    const options = pairs(v['option'] as string[] | undefined, '--option');
    applyCryptoArg(v['crypto'] as string | undefined, options);
    const params = pairs(v['param'] as string[] | undefined, '--param');
    const maxEvents = intArg(v['max-events'] as string | undefined, '--max-events', 1) ?? MAX_EVENTS_DEFAULT;
    const maxHeapMb = intArg(v['max-heap-mb'] as string | undefined, '--max-heap-mb', 1) ?? defaultMaxHeapMb();
    const digest = v['no-digest'] !== true;
    const runtime = runtimeArg(v['runtime'] as string | undefined);
    const watch = new RunWatch(io, { progress: io.errIsTty === true && v['quiet'] !== true, maxHeapMb });
    // Output paths are checked before anything runs: a typo fails in a second, not after the run.
    const tracePath = outputPathArg(v['trace'] as string | undefined, '--trace');
    const pcapPath = outputPathArg(v['pcap'] as string | undefined, '--pcap');
    const keysPath = outputPathArg(v['keys'] as string | undefined, '--keys');
    const recordPath = outputPathArg(v['record'] as string | undefined, '--record', true);
    // Keep the events only for what needs them after the run (the pcap and the ladder); the summary's metrics are
    // computed as the run streams, and --trace is written as it streams.
    const keepTrace = pcapPath !== undefined || keysPath !== undefined || v['ladder'] === true;
    // Load (and validate) first, so a bad scenario leaves no empty trace file behind.
    const external = v['dhcp-external'] as string | undefined;
    const asWritten = loadScenarioOrThrow(scenario, { options, params });
    // The keys are the ones real crypto derives; modelled crypto has none (the option wins over the field).
    if (keysPath !== undefined && (asWritten.options['crypto'] ?? asWritten.crypto ?? 'modelled') !== 'real')
      throw new UsageError(
        `--keys ${keysPath}: expected a run with real crypto (modelled crypto derives no keys); add --crypto real`,
      );
    const externalGateway = v['gateway-external'] as string | undefined;
    const withDhcp = external === undefined ? asWritten : withExternalDhcp(asWritten, parseExternalDhcpArg(external));
    const loaded =
      externalGateway === undefined ? withDhcp : withExternalGateway(withDhcp, parseExternalIkeArg(externalGateway));
    traceFile = tracePath === undefined ? undefined : new TraceFile(tracePath);
    const sink = traceFile;
    const r = runScenario(loaded, {
      ...(method ? { method } : {}),
      ...(seed !== undefined ? { seed } : {}),
      keepTrace,
      eventsMax: maxEvents,
      digest,
      ...(runtime ? { runtime } : {}),
      progress: { everyEvents: WATCH_EVERY_EVENTS, onProgress: watch.onProgress },
      // The old generation's room for garbage sized by the run's clients (bin/node-flags.js): a bounded peak heap.
      beforeRun: (roles) => void applyHeapGrowingFor(roles.clients.length),
      ...(sink ? { onTraceLine: (line: string) => sink.line(line) } : {}),
    });
    watch.clear();
    traceFile = undefined;
    sink?.close();
    if (watch.heapStop !== undefined) {
      const { heapMb, progress } = watch.heapStop;
      throw new UsageError(
        `--max-heap-mb ${maxHeapMb}: the run was stopped with ${heapMb} MB of heap after ${progress.eventsRun} ` +
          `simulator events, at virtual time ${us(progress.atUs)} (${progress.addressed}/${progress.clients} clients ` +
          `addressed); raise --max-heap-mb (and node --max-old-space-size) or shrink the scenario`,
      );
    }
    if (r.stop.reason === 'eventsMax')
      throw new UsageError(
        `--max-events ${maxEvents}: the run was stopped after ${r.stop.eventsRun} simulator events, at virtual ` +
          `time ${us(r.stop.atUs)}; raise --max-events or shrink the scenario`,
      );
    if (pcapPath !== undefined) writeOutput('--pcap', pcapPath, () => writeFileSync(pcapPath, pcapOf(r.trace)));
    if (keysPath !== undefined)
      writeOutput('--keys', keysPath, () => writeFileSync(keysPath, wiresharkKeysText(keyEntriesOfTrace(r.trace))));
    if (v['ladder']) for (const line of formatLadder(r.trace)) io.out(line);
    if (v['json'])
      io.out(
        JSON.stringify({
          scenario: r.scenario,
          method: r.method,
          seed: r.seed,
          traceSha256: r.traceSha256,
          ...(r.traceSha256 === null ? { digest: 'not computed (--no-digest)' } : {}),
          ...(r.hermetic ? {} : { hermetic: false }),
          metrics: r.metrics,
        }),
      );
    else printSummary(r, io);
    if (r.ok) return EXIT_OK;
    if (r.traceSha256 === null) {
      io.err('run: expectations failed; run again without --no-digest for a replayable failure record');
      return EXIT_EXPECTATIONS_FAILED;
    }
    if (!r.hermetic) {
      io.err(
        'run: expectations failed; no failure record: a real DHCP server or gateway answered, so a replay would differ',
      );
      return EXIT_EXPECTATIONS_FAILED;
    }
    const path = writeOutput('--record', recordPath ?? '.dhcpike/failures', () =>
      writeFailureRecord(
        {
          scenario,
          method: r.method,
          seed: r.seed,
          options: r.options,
          params: r.params,
          expectedTraceSha256: r.traceSha256,
        },
        recordPath,
      ),
    );
    io.err(`run: expectations failed; reproduce with: dhcpike replay ${path}`);
    return EXIT_EXPECTATIONS_FAILED;
  } catch (e) {
    return reportError(e, io, 'run');
  } finally {
    try {
      traceFile?.close();
    } catch {
      // The error that interrupted the run is the one reported.
    }
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a scenario with one method and seed',
  usage: USAGE,
  run: runRun,
};
