/**
 * Engine throughput. Figures (best of 3 after a warm-up, all in this process):
 * - plainLoopEventsPerSec: a bare binary heap of {atUs, seq, fn} with plain handler functions (the reference);
 * - engineEventsPerSec: the same workload on sim/Scheduler (trace level none: no trace involved at all);
 * - packetsPerSec{None,Packets}: datagrams through the whole pipeline (host encode → network → deliver → decode)
 *   on a point-to-point link with latency, jitter and 1 % loss, at trace levels none and packets;
 * - `crypto.*`: real crypto beside the modelled one (crypto-figures.ts): ESP datagrams through the codec, IKE SA key
 *   material per second per DH group, the `basic` scenario end to end.
 */
import type { InterfaceConfig, NodeHost, PacketCodec, SimNode } from '../models/contract.ts';
import { parsed } from '../models/wire/result.ts';
import { Scheduler } from '../sim/scheduler.ts';
import { Simulation } from '../sim/simulation.ts';
import type { TraceLevel } from '../sim/trace.ts';
import { cryptoFigures } from './crypto-figures.ts';

const EVENTS = 2_000_000;
const PENDING = 1024;
const PACKETS = 200_000;

// A fixed pseudo-random delay table so both loops do identical work.
const DELAYS = Array.from({ length: 4096 }, (_, i) => 1 + ((Math.imul(i + 1, 0x9e3779b1) >>> 0) % 1000));

interface PlainEvent {
  atUs: number;
  seq: number;
  fn: () => void;
}

/** The reference: the smallest correct (atUs, seq) binary heap loop. */
function plainLoop(events: number): number {
  const heap: PlainEvent[] = [];
  let seq = 0;
  let now = 0;
  let run = 0;
  let scheduled = 0;
  const less = (a: PlainEvent, b: PlainEvent): boolean => a.atUs < b.atUs || (a.atUs === b.atUs && a.seq < b.seq);
  const push = (e: PlainEvent): void => {
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, heap[p] as PlainEvent)) break;
      heap[i] = heap[p] as PlainEvent;
      i = p;
    }
    heap[i] = e;
  };
  const pop = (): PlainEvent => {
    const top = heap[0] as PlainEvent;
    const last = heap.pop() as PlainEvent;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(heap[r] as PlainEvent, heap[l] as PlainEvent) ? r : l;
        if (!less(heap[c] as PlainEvent, last)) break;
        heap[i] = heap[c] as PlainEvent;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  const handler = (): void => {
    run++;
    if (scheduled < events) {
      scheduled++;
      push({ atUs: now + (DELAYS[scheduled & 4095] as number), seq: seq++, fn: handler });
    }
  };
  for (let i = 0; i < PENDING; i++) {
    scheduled++;
    push({ atUs: DELAYS[i] as number, seq: seq++, fn: handler });
  }
  while (heap.length > 0) {
    const e = pop();
    now = e.atUs;
    e.fn();
  }
  return run;
}

function engineLoop(events: number): number {
  const s = new Scheduler();
  let run = 0;
  let scheduled = 0;
  const handler = (): void => {
    run++;
    if (scheduled < events) {
      scheduled++;
      s.after(DELAYS[scheduled & 4095] as number, handler);
    }
  };
  for (let i = 0; i < PENDING; i++) {
    scheduled++;
    s.at(DELAYS[i] as number, handler);
  }
  s.runUntilIdle({ eventsMax: events * 2 });
  return run;
}

/** A node whose packets are already IPv4 bytes, so the figure measures the engine, not a codec. */
class BytesNode implements SimNode<Uint8Array> {
  host: NodeHost<Uint8Array> | undefined;
  received = 0;
  readonly codec: PacketCodec<Uint8Array> = {
    encode: (p) => p,
    decode: (b) => parsed(b, b.length),
    summarize: () => 'UDP 10.0.0.1:1000 → 10.0.0.2:2000',
  };
  constructor(
    readonly name: string,
    readonly interfaces: readonly InterfaceConfig[],
  ) {}
  start(host: NodeHost<Uint8Array>): void {
    this.host = host;
  }
  receive(): void {
    this.received++;
  }
  crash(): void {}
  restart(): void {}
  states(): Readonly<Record<string, string>> {
    return {};
  }
}

function datagram(): Uint8Array {
  const b = new Uint8Array(120);
  b.set([0x45, 0, 0, 120, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  return b;
}

function packetRun(level: TraceLevel, packets: number): number {
  const a = new BytesNode('a', [{ name: 'eth0', address: '10.0.0.1', prefixLength: 30 }]);
  const b = new BytesNode('b', [{ name: 'eth0', address: '10.0.0.2', prefixLength: 30 }]);
  const sim = new Simulation(
    {
      nodes: [a, b],
      links: [
        {
          kind: 'p2p',
          name: 'p0',
          a: { node: 'a', iface: 'eth0' },
          b: { node: 'b', iface: 'eth0' },
          profile: { latencyUs: 500, jitterUs: 100, lossPpm: 10_000 },
        },
      ],
    },
    { seed: 1, traceLevel: level, keepEvents: false },
  );
  sim.start();
  const bytes = datagram();
  let sent = 0;
  const tick = (): void => {
    (a.host as NodeHost<Uint8Array>).send('eth0', bytes);
    sent++;
    if (sent < packets) sim.scheduler.after(2, tick);
  };
  sim.scheduler.at(0, tick);
  sim.runUntilIdle();
  if (b.received < packets * 0.95) throw new Error(`bench: only ${b.received} of ${packets} delivered`);
  return packets;
}

function bestRate(fn: () => number): number {
  fn(); // warm-up
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const n = fn();
    const seconds = (performance.now() - t0) / 1000;
    best = Math.max(best, n / seconds);
  }
  return Math.round(best);
}

export async function run(): Promise<Record<string, number | string>> {
  const plainLoopEventsPerSec = bestRate(() => plainLoop(EVENTS));
  const engineEventsPerSec = bestRate(() => engineLoop(EVENTS));
  const packetsPerSecNone = bestRate(() => packetRun('none', PACKETS));
  const packetsPerSecPackets = bestRate(() => packetRun('packets', PACKETS / 4));
  const ratio = (x: number): number => Math.round((x / plainLoopEventsPerSec) * 1000) / 1000;
  return {
    events: EVENTS,
    packets: PACKETS,
    plainLoopEventsPerSec,
    engineEventsPerSec,
    engineToPlainRatio: ratio(engineEventsPerSec),
    packetsPerSecNone,
    packetsPerSecPackets,
    packetsNoneToPlainRatio: ratio(packetsPerSecNone),
    packetsPacketsToPlainRatio: ratio(packetsPerSecPackets),
    ...Object.fromEntries(Object.entries(cryptoFigures()).map(([k, v]) => [`crypto.${k}`, v])),
  };
}
