/**
 * A real DHCP server over UDP, for the `external` DHCP server kind (models/nodes/external-dhcp-exchange.ts), in Node.
 *
 * The simulation is synchronous, so the exchange is too: a worker thread owns the UDP socket and the wall-clock
 * timeout, and the simulation's thread waits on a shared flag (`Atomics.wait`) until the worker has the reply, the
 * timeout passed or the socket failed. Virtual time does not move meanwhile.
 *
 * The lab's relays put their simulated inside address in giaddr; a real server answers a relayed message to giaddr
 * port 67 (RFC 2131 §4.1), an address that does not exist outside the simulation. So the bridge stands in for the
 * relay on the host: it sends from `relayAddress:relayPort` (default 127.0.0.2:67) with giaddr rewritten to
 * `relayAddress` — the only byte it changes — and puts the lab's giaddr back in the reply. A message with giaddr 0
 * (a client on the server's own segment) is sent the same way, as if relayed, and its reply gets giaddr 0 back. The
 * server picks the subnet by the message's RFC 3527 link-selection sub-option when there is one, or by the relay
 * address (Kea: `"relay": {"ip-addresses": ["127.0.0.2"]}` in the subnet).
 */
import { Worker } from 'node:worker_threads';
import type { ExternalDhcpExchange, ExternalDhcpOutcome } from '../../models/nodes/external-dhcp-exchange.ts';

export interface UdpExchangeOptions {
  /** The real server. */
  readonly address: string;
  readonly port: number;
  /** The host address and port the bridge sends from and the server answers to (the relay's stand-in). */
  readonly relayAddress: string;
  readonly relayPort: number;
  /** How long to wait for a reply (wall clock) before calling it a loss. */
  readonly timeoutMs: number;
}

/** Shared flag values (Int32 slot 0); slot 1 holds the payload length. */
const IDLE = 0;
const REPLY = 1;
const NO_REPLY = 2;
const FAILED = 3;
const READY = 4;
const MAX_DATAGRAM = 65_507;
const HEADER_BYTES = 8;

// Plain JavaScript, evaluated in the worker (no TypeScript loader there).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { sab, relayAddress, relayPort } = workerData;
const flag = new Int32Array(sab, 0, 2);
const data = new Uint8Array(sab, ${HEADER_BYTES});
let waiting = null;
const finish = (state, bytes) => {
  if (bytes) data.set(bytes.subarray(0, data.length));
  Atomics.store(flag, 1, bytes ? Math.min(bytes.length, data.length) : 0);
  Atomics.store(flag, 0, state);
  Atomics.notify(flag, 0);
};
const fail = (e) => {
  if (waiting) { clearTimeout(waiting.timer); waiting = null; }
  finish(${FAILED}, new TextEncoder().encode(String(e && e.message ? e.message : e)));
};
const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
sock.on('error', fail);
sock.on('message', (msg) => {
  // Only the reply to the message in flight (same xid, RFC 2131 §2); anything else is a stray and ignored.
  if (!waiting || msg.length < 8 || msg.readUInt32BE(4) !== waiting.xid) return;
  clearTimeout(waiting.timer);
  waiting = null;
  finish(${REPLY}, msg);
});
sock.bind(relayPort, relayAddress, () => finish(${READY}, null));
parentPort.on('message', ({ bytes, address, port, expectReply, timeoutMs }) => {
  const buf = Buffer.from(bytes);
  sock.send(buf, port, address, (err) => {
    if (err) return fail(err);
    if (!expectReply) return finish(${NO_REPLY}, null);
    waiting = { xid: buf.readUInt32BE(4), timer: setTimeout(() => { waiting = null; finish(${NO_REPLY}, null); }, timeoutMs) };
  });
});
`;

const GIADDR_OFFSET = 24;

/** The relay's stand-in: one socket (in its worker) per relay address and port, shared by every server it talks to. */
class RelayBridge {
  private readonly sab = new SharedArrayBuffer(HEADER_BYTES + MAX_DATAGRAM);
  private readonly flag = new Int32Array(this.sab, 0, 2);
  private readonly data = new Uint8Array(this.sab, HEADER_BYTES);
  private readonly worker: Worker;
  private readonly relay: Uint8Array;
  private startError: string | undefined;

  constructor(relayAddress: string, relayPort: number) {
    this.relay = Uint8Array.from(relayAddress.split('.').map(Number));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sab: this.sab, relayAddress, relayPort } });
    this.worker.unref();
    const started = this.waitFor(5_000);
    if (started.kind === 'error') this.startError = `cannot bind ${relayAddress}:${relayPort}: ${started.message}`;
  }

  exchange(o: UdpExchangeOptions, request: Uint8Array, expectReply: boolean): ExternalDhcpOutcome {
    if (this.startError !== undefined) return { kind: 'error', message: this.startError };
    if (request.length < GIADDR_OFFSET + 4) return { kind: 'error', message: 'not a DHCP message' };
    const giaddr = request.slice(GIADDR_OFFSET, GIADDR_OFFSET + 4);
    const out = request.slice();
    out.set(this.relay, GIADDR_OFFSET);
    Atomics.store(this.flag, 0, IDLE);
    this.worker.postMessage({ bytes: out, address: o.address, port: o.port, expectReply, timeoutMs: o.timeoutMs });
    const r = this.waitFor(o.timeoutMs + 5_000);
    if (r.kind !== 'reply') return r;
    if (r.bytes.length >= GIADDR_OFFSET + 4) r.bytes.set(giaddr, GIADDR_OFFSET);
    return r;
  }

  private waitFor(limitMs: number): ExternalDhcpOutcome {
    Atomics.wait(this.flag, 0, IDLE, limitMs);
    const state = Atomics.load(this.flag, 0);
    const length = Atomics.load(this.flag, 1);
    const bytes = this.data.slice(0, length);
    Atomics.store(this.flag, 0, IDLE);
    switch (state) {
      case REPLY:
        return { kind: 'reply', bytes };
      case NO_REPLY:
      case READY:
        return { kind: 'noReply' };
      case FAILED:
        return { kind: 'error', message: new TextDecoder().decode(bytes) };
      default:
        return { kind: 'error', message: `the UDP worker did not answer within ${limitMs} ms` };
    }
  }
}

/** One bridge per relay address and port for the whole process: later runs reuse its socket. */
const bridges = new Map<string, RelayBridge>();

export function udpExchange(o: UdpExchangeOptions): ExternalDhcpExchange {
  const key = `${o.relayAddress}:${o.relayPort}`;
  let bridge = bridges.get(key);
  if (bridge === undefined) bridges.set(key, (bridge = new RelayBridge(o.relayAddress, o.relayPort)));
  const b = bridge;
  return {
    endpoint: `${o.address}:${o.port}`,
    exchange: (request, expectReply) => b.exchange(o, request, expectReply),
  };
}
