/**
 * Codec throughput: parse and emit rates (messages/s) of a relayed DHCPREQUEST in IPv4/UDP and of an IKE_AUTH
 * request carrying the DHCP payload (in UDP 4500 after the non-ESP marker), beside references measured in the same
 * run: copying the same bytes with `Uint8Array.prototype.slice` (`sliceCopy`), which is mostly the allocation of a
 * new output: V8 keeps a typed array longer than 64 bytes off the JS heap, so every new one is a malloc'd backing
 * store, an ArrayBuffer with its extension, and later a free by the array-buffer sweeper (~0.4 µs for 351 bytes here,
 * more when the sweeper's background thread waits for a core); `copyInto`, the same bytes `set` into a reused buffer,
 * is the copy alone (~20 ns). `emitInto` is emitPacketInto a reused buffer: emit without its one allocation, so
 * `emit` − `emitInto` is what the exact-size output costs. `npm run bench -- codecs`.
 *
 * `toHex` (the trace's packet bytes): rate and heap retained per input byte for the IKE sample, beside the per-byte
 * `+=` concatenation it replaced (a rope of cons cells until something flattens it) measured in the same run.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { toHex } from '../models/wire/bytes.ts';
import { buildDhcpMessage } from '../models/wire/dhcp/message.ts';
import { ikeSampleMessages } from '../models/wire/ike/index.ts';
import { emitPacket, emitPacketInto, parsePacket, udpPacket, type Packet } from '../models/wire/packet.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function relayedRequest(): Packet {
  const mac = Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x00, 0x01);
  const message = buildDhcpMessage({
    type: 'REQUEST',
    xid: 0x1a2b3c4d,
    hardwareAddress: mac,
    fields: { giaddr: '192.0.2.1', hops: 1 },
    options: [
      { kind: 'clientId', type: 1, data: mac },
      { kind: 'requestedAddress', address: '10.1.0.7' },
      { kind: 'serverId', address: '198.51.100.67' },
      { kind: 'parameterRequestList', codes: [1, 3, 6, 15, 51, 54] },
      {
        kind: 'relayAgentInfo',
        subOptions: [
          { kind: 'circuitId', data: text('gw1:ike-sa-0001') },
          { kind: 'remoteId', data: text('alice@example.com') },
          { kind: 'linkSelection', subnet: '10.1.0.0' },
          { kind: 'serverIdOverride', serverId: '192.0.2.1' },
        ],
      },
    ],
  });
  return udpPacket({
    src: '192.0.2.1',
    dst: '198.51.100.67',
    srcPort: 67,
    dstPort: 67,
    app: { kind: 'dhcp', message },
  });
}

function ikeAuthWithDhcp(): Packet | undefined {
  const message = ikeSampleMessages().find(
    (m) =>
      m.exchangeType === 35 &&
      !m.response &&
      m.payloads.some((p) => p.kind === 'SK' && p.payloads.some((q) => q.kind === 'DHCP')),
  );
  if (message === undefined) return undefined;
  return udpPacket({
    src: '192.0.2.10',
    dst: '192.0.2.1',
    srcPort: 4500,
    dstPort: 4500,
    app: { kind: 'ike', nonEspMarker: true, message },
  });
}

/** The last `rate` call's operations per CPU-second of this process (user + system), beside the wall-clock rate. */
let lastCpuRate = 0;

/**
 * Operations per second of `op`, timed over enough iterations to take ≥ `minMs`. Also records the rate per CPU-second
 * (`lastCpuRate`): on a machine shared with other work the wall-clock rate drops with the load, the CPU rate much less.
 */
function rate(op: () => unknown, minMs = 300): number {
  for (let i = 0; i < 500; i++) op(); // warm-up
  let iterations = 1000;
  for (;;) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < iterations; i++) op();
    const elapsedMs = performance.now() - start;
    if (elapsedMs >= minMs || iterations >= 1 << 26) {
      const used = process.cpuUsage(cpu);
      lastCpuRate = Math.round((iterations * 1e6) / Math.max(1, used.user + used.system));
      return Math.round((iterations * 1000) / elapsedMs);
    }
    iterations *= 2;
  }
}

interface Figures {
  readonly bytes: number;
  readonly parsePerSec: number;
  readonly emitPerSec: number;
  readonly sliceCopyPerSec: number;
  /** emitPacketInto a reused buffer (emit without allocating its output). */
  readonly emitIntoPerSec: number;
  /** The bytes `set` into a reused buffer: the copy without an allocation. */
  readonly copyIntoPerSec: number;
  /** How many times slower than copying the bytes. */
  readonly parseVsCopy: number;
  readonly emitVsCopy: number;
  /** The same three per CPU-second (see `rate`). */
  readonly parseCpuPerSec: number;
  readonly emitCpuPerSec: number;
  readonly sliceCopyCpuPerSec: number;
}

function measure(packet: Packet): Figures {
  const bytes = emitPacket(packet);
  const back = parsePacket(bytes);
  if (!back.ok) throw new Error(`bench sample does not parse: ${JSON.stringify(back.error)}`);
  const parsePerSec = rate(() => parsePacket(bytes));
  const parseCpuPerSec = lastCpuRate;
  const emitPerSec = rate(() => emitPacket(packet));
  const emitCpuPerSec = lastCpuRate;
  const sliceCopyPerSec = rate(() => bytes.slice());
  const sliceCopyCpuPerSec = lastCpuRate;
  const reused = new Uint8Array(bytes.length);
  const emitIntoPerSec = rate(() => emitPacketInto(packet, reused, 0));
  const copyIntoPerSec = rate(() => reused.set(bytes));
  const ratio = (x: number): number => Math.round((sliceCopyPerSec / x) * 10) / 10;
  return {
    bytes: bytes.length,
    parsePerSec,
    emitPerSec,
    sliceCopyPerSec,
    emitIntoPerSec,
    copyIntoPerSec,
    parseVsCopy: ratio(parsePerSec),
    emitVsCopy: ratio(emitPerSec),
    parseCpuPerSec,
    emitCpuPerSec,
    sliceCopyCpuPerSec,
  };
}

/** The `toHex` before the flat one: two characters appended per byte. */
function ropeHex(bytes: Uint8Array): string {
  const digits = '0123456789abcdef';
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    out += (digits[b >>> 4] ?? '') + (digits[b & 0xf] ?? '');
  }
  return out;
}

/** A full GC on demand without `node --expose-gc` (the flag set at run time, the function read from a new context). */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * Heap bytes retained per input byte by `count` results of `hex(bytes)` held at once (heapUsed before and after;
 * a flat one-byte string is ~2 bytes per input byte, a rope of per-byte cons cells ~15 times that).
 */
function retainedPerByte(hex: (b: Uint8Array) => string, bytes: Uint8Array, count = 2000): number {
  const gc = collector();
  gc();
  const before = process.memoryUsage().heapUsed;
  const held: string[] = [];
  for (let i = 0; i < count; i++) {
    const copy = bytes.slice();
    copy[0] = i & 0xff; // distinct inputs: nothing shared between results
    held.push(hex(copy));
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  if (held.length !== count) throw new Error('unreachable');
  return Math.round(((after - before) / (count * bytes.length)) * 10) / 10;
}

function hexFigures(bytes: Uint8Array): Record<string, number> {
  if (toHex(bytes) !== ropeHex(bytes)) throw new Error('toHex disagrees with the reference');
  return {
    bytes: bytes.length,
    toHexPerSec: rate(() => toHex(bytes)),
    ropeHexPerSec: rate(() => ropeHex(bytes)),
    toHexHeapBytesPerInputByte: retainedPerByte(toHex, bytes),
    ropeHexHeapBytesPerInputByte: retainedPerByte(ropeHex, bytes),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const ike = ikeAuthWithDhcp();
  return {
    unit: 'messages/s',
    relayedDhcpRequest: measure(relayedRequest()),
    ikeAuthWithDhcp: ike === undefined ? 'no IKE_AUTH sample with a DHCP payload' : measure(ike),
    ...(ike === undefined ? {} : { toHex: hexFigures(emitPacket(ike)) }),
  };
}
