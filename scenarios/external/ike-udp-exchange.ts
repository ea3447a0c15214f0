/**
 * A real IKEv2 gateway over UDP, for the `external` gateway kind (models/nodes/external-ike-exchange.ts), in Node.
 *
 * The simulation is synchronous, so the exchange is too, as scenarios/external/udp-exchange.ts's: a worker thread owns
 * the sockets and the wall-clock timers, the simulation's thread waits on a shared flag (`Atomics.wait`) and then takes
 * the worker's answer off a MessagePort (`receiveMessageOnPort`). Virtual time does not move meanwhile.
 *
 * The bridge binds one socket per client port, 500 and 4500 (RFC 7296 §2.23: after NAT detection the exchange moves
 * to 4500, the non-ESP marker in front of IKE, RFC 3948 §2.2), on `localAddress`. Every datagram the gateway sends to
 * either is queued, whenever it arrives: an IKE request's exchange waits for the first datagram that arrives after it
 * was sent (or `timeoutMs`), then `settleMs` more for the rest of the answer (IKE fragments, RFC 7383 §2.5; a second
 * message the gateway sends at once), and returns the whole queue, so what the gateway sent on its own since the last
 * exchange (DPD, rekey and Delete requests) is delivered too. Binding port 500 needs root.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type {
  ExternalIkeDatagram,
  ExternalIkeExchange,
  ExternalIkeOutcome,
} from '../../models/nodes/external-ike-exchange.ts';

export interface IkeUdpExchangeOptions {
  /** The real gateway's address and its IKE ports (the simulation's 500 and 4500). */
  readonly address: string;
  readonly port: number;
  readonly natTPort: number;
  /** The host address the bridge's sockets are bound to (ports 500 and 4500). */
  readonly localAddress: string;
  /** How long an IKE request waits for its answer (wall clock) before it counts as lost. */
  readonly timeoutMs: number;
  /** After the first datagram of an answer, how long more datagrams are collected (wall clock). */
  readonly settleMs: number;
}

/** Shared flag values (Int32 slot 0). */
const IDLE = 0;
const DONE = 1;
/** The client ports the bridge binds: the simulation's IKE ports (RFC 7296 §2, RFC 3948 §2). */
const CLIENT_PORTS = [500, 4500] as const;

// Plain JavaScript, evaluated in the worker (no TypeScript loader there).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { sab, port, localAddress, clientPorts } = workerData;
const flag = new Int32Array(sab, 0, 1);
let queue = [];
let waiting = null;
let peer = null;
const answer = (message) => {
  port.postMessage(message);
  Atomics.store(flag, 0, ${DONE});
  Atomics.notify(flag, 0);
};
const drain = () => {
  if (waiting) { clearTimeout(waiting.timer); waiting = null; }
  const datagrams = queue;
  queue = [];
  answer({ kind: 'datagrams', datagrams });
};
const fail = (e) => {
  if (waiting) { clearTimeout(waiting.timer); waiting = null; }
  answer({ kind: 'error', message: String(e && e.message ? e.message : e) });
};
const sockets = new Map();
let bound = 0;
for (const clientPort of clientPorts) {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('error', fail);
  sock.on('message', (msg, rinfo) => {
    // Only the gateway's datagrams, from the ports it was sent to; anything else is a stray and ignored.
    if (!peer || rinfo.address !== peer.address) return;
    const gatewayPort = rinfo.port === peer.port ? 500 : rinfo.port === peer.natTPort ? 4500 : 0;
    if (gatewayPort === 0) return;
    queue.push({ clientPort, gatewayPort, bytes: new Uint8Array(msg) });
    if (waiting && !waiting.answered) {
      waiting.answered = true;
      clearTimeout(waiting.timer);
      waiting.timer = setTimeout(drain, waiting.settleMs);
    }
  });
  sock.bind(clientPort, localAddress, () => {
    sockets.set(clientPort, sock);
    if (++bound === clientPorts.length) answer({ kind: 'ready' });
  });
}
port.on('message', (m) => {
  if (m.kind === 'drain') return setImmediate(drain);
  peer = { address: m.address, port: m.port, natTPort: m.natTPort };
  const sock = sockets.get(m.clientPort);
  if (!sock) return fail('no socket for client port ' + m.clientPort);
  const to = m.gatewayPort === 4500 ? m.natTPort : m.port;
  sock.send(Buffer.from(m.bytes), to, m.address, (err) => {
    if (err) return fail(err);
    if (!m.expectReply) return setImmediate(drain);
    waiting = { answered: false, settleMs: m.settleMs, timer: setTimeout(drain, m.timeoutMs) };
  });
});
`;

type WorkerAnswer =
  | { readonly kind: 'ready' }
  | { readonly kind: 'datagrams'; readonly datagrams: readonly ExternalIkeDatagram[] }
  | { readonly kind: 'error'; readonly message: string };

/** The sockets for one local address (in their worker), shared by every run in the process. */
class IkeBridge {
  private readonly sab = new SharedArrayBuffer(4);
  private readonly flag = new Int32Array(this.sab, 0, 1);
  private readonly channel = new MessageChannel();
  private readonly worker: Worker;
  private startError: string | undefined;

  constructor(readonly localAddress: string) {
    const port = this.channel.port2;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sab: this.sab, port, localAddress, clientPorts: [...CLIENT_PORTS] },
      transferList: [port],
    });
    this.worker.unref();
    this.channel.port1.unref();
    const started = this.waitFor(5_000);
    if (started.kind === 'error')
      this.startError = `cannot bind ${localAddress}:${CLIENT_PORTS.join(',')}: ${started.message}`;
  }

  exchange(o: IkeUdpExchangeOptions, d: ExternalIkeDatagram, expectReply: boolean): ExternalIkeOutcome {
    if (this.startError !== undefined) return { kind: 'error', message: this.startError };
    Atomics.store(this.flag, 0, IDLE);
    this.channel.port1.postMessage({
      kind: 'send',
      address: o.address,
      port: o.port,
      natTPort: o.natTPort,
      clientPort: d.clientPort,
      gatewayPort: d.gatewayPort,
      bytes: d.bytes,
      expectReply,
      timeoutMs: o.timeoutMs,
      settleMs: o.settleMs,
    });
    const r = this.waitFor(o.timeoutMs + o.settleMs + 5_000);
    return r.kind === 'ready' ? { kind: 'datagrams', datagrams: [] } : r;
  }

  /** Forgets what arrived so far (a new run must not receive the last one's leftovers). */
  discard(): void {
    if (this.startError !== undefined) return;
    Atomics.store(this.flag, 0, IDLE);
    this.channel.port1.postMessage({ kind: 'drain' });
    this.waitFor(5_000);
  }

  close(): Promise<number> {
    this.channel.port1.close();
    return this.worker.terminate();
  }

  private waitFor(limitMs: number): ExternalIkeOutcome | { readonly kind: 'ready' } {
    Atomics.wait(this.flag, 0, IDLE, limitMs);
    const state = Atomics.load(this.flag, 0);
    Atomics.store(this.flag, 0, IDLE);
    // The last answer counts: a socket error reported while no exchange was waiting is superseded by this one's.
    let m: WorkerAnswer | undefined;
    for (let next = receiveMessageOnPort(this.channel.port1); next !== undefined;) {
      m = next.message as WorkerAnswer;
      next = receiveMessageOnPort(this.channel.port1);
    }
    if (state !== DONE || m === undefined)
      return { kind: 'error', message: `the UDP worker did not answer within ${limitMs} ms` };
    if (m.kind !== 'datagrams') return m;
    // Structured clone hands back plain objects: rebuild them with their Uint8Array.
    return {
      kind: 'datagrams',
      datagrams: m.datagrams.map((x) => ({ clientPort: x.clientPort, gatewayPort: x.gatewayPort, bytes: x.bytes })),
    };
  }
}

/** One bridge per local address for the whole process: binding 500 and 4500 twice would fail. */
const bridges = new Map<string, IkeBridge>();

export function ikeUdpExchange(o: IkeUdpExchangeOptions): ExternalIkeExchange {
  let bridge = bridges.get(o.localAddress);
  if (bridge === undefined) bridges.set(o.localAddress, (bridge = new IkeBridge(o.localAddress)));
  const b = bridge;
  b.discard();
  return {
    endpoint: `${o.address}:${o.port}`,
    localAddress: o.localAddress,
    exchange: (d, expectReply) => b.exchange(o, d, expectReply),
  };
}

/** Closes every bridge's sockets (a test that removed the local address; the next run binds again). */
export async function closeIkeBridges(): Promise<void> {
  const all = [...bridges.values()];
  bridges.clear();
  await Promise.all(all.map((b) => b.close()));
}
