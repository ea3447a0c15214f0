import { afterEach, describe, expect, it } from 'vitest';
import { Sha256, setTextHasherFactory, toHex } from '../../sim/trace-hash.ts';
import { nativeTextHasher } from '../../scenarios/node.ts';
import { canonicalJsonLine } from '../../sim/trace-jsonl.ts';
import { CanonicalLineBytes } from '../../sim/trace-line-bytes.ts';
import { TraceRecorder, type TraceEvent } from '../../sim/trace.ts';
import { runScenario } from '../../scenarios/run.ts';

const utf8 = new TextDecoder();

const awkward: TraceEvent[] = [
  { type: 'note', atUs: 0, node: 'gw', text: 'quote " backslash \\ tab \t nul \u0000', data: { b: true, a: 'é' } },
  { type: 'note', atUs: 9_007_199_254_740_991, node: 'n', text: 'big', data: { x: -1, y: 0.5, z: Number.NaN } },
  { type: 'state', atUs: 1, node: 'client → gw ✓ 😀', machine: 'é ߿ ࠀ ￿', from: 'lone \ud800', to: 'B' },
  { type: 'command', atUs: 2, node: 'c', command: 'connect', args: { gateway: 'gw', at: 3 } },
  { type: 'drop', atUs: 3, reason: 'mtu', packetId: 0, node: 'a', summary: '', detail: undefined },
  {
    type: 'note',
    atUs: 4,
    node: 'n',
    text: 'nested',
    data: { z: undefined, m: { b: [1, 'x', undefined, { d: 2, c: null }], a: '"' }, 'k"ey': 'v' } as never,
  },
  { type: 'note', atUs: 4, node: 'n', text: 'same keys, other order', data: { a: 'é', b: true } },
  { type: 'fault', atUs: 4, fault: 'node.crash', id: 'x\u007f\u0080', detail: '\u2028' },
];

afterEach(() => setTextHasherFactory(nativeTextHasher));

describe('a canonical line as bytes', () => {
  it('is the UTF-8 of canonicalJsonLine and its newline, for escapes, non-ASCII, nested data and odd numbers', () => {
    const w = new CanonicalLineBytes();
    for (const e of awkward) w.writeEvent(e);
    expect(utf8.decode(w.bytes())).toBe(awkward.map((e) => canonicalJsonLine(e) + '\n').join(''));
  });

  it('writes every digit count of an integer as canonicalJsonLine does, at the int32 fast path edges too', () => {
    const numbers = [0, -0, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 1_000_000_000, 999_999_999, 4_294_967_296];
    for (let p = 1; p <= 1e15; p *= 10) numbers.push(p - 1, p, p + 1);
    const events: TraceEvent[] = numbers.map((n, i) => ({ type: 'timer', atUs: n, node: `n${i}`, name: 't' }));
    const w = new CanonicalLineBytes();
    for (const e of events) w.writeEvent(e);
    expect(utf8.decode(w.bytes())).toBe(events.map((e) => canonicalJsonLine(e) + '\n').join(''));
    expect(utf8.decode(w.bytes())).toContain('"atUs":2147483647,');
  });

  it("writes a send's hex from the datagram in place of its empty bytes, and grows past its first buffer", () => {
    const packet = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
    const send = (bytes: string): TraceEvent => ({
      type: 'send',
      atUs: 5,
      node: 'a',
      iface: 'eth0',
      packetId: 1,
      length: packet.length,
      summary: 'UDP',
      bytes,
    });
    const w = new CanonicalLineBytes();
    w.writeEvent(send(''), packet);
    expect(utf8.decode(w.bytes())).toBe(canonicalJsonLine(send(toHex(packet))) + '\n');
    w.clear();
    expect(w.bytes().length).toBe(0);
  });

  it('gives a recorder that never builds the hex the digest of the events with their hex', () => {
    const kept = runScenario('lossy', { method: 'dhcp-over-ike' });
    const sends = kept.trace.filter((e) => e.type === 'send').length;
    expect(sends).toBeGreaterThan(0);
    const streamed = new TraceRecorder({
      level: 'full',
      keepEvents: false,
      onEvent: () => undefined,
      onEventTakesPacket: true,
    });
    expect(streamed.packetHex).toBe(false);
    for (const e of kept.trace) {
      if (e.type !== 'send') streamed.record(e);
      else streamed.record({ ...e, bytes: '' }, Uint8Array.from(Buffer.from(e.bytes, 'hex')));
    }
    expect(streamed.digestHex()).toBe(kept.traceSha256);
  });

  it('reaches a hasher that only takes text as the same text (its batch decoded), so the same digest', () => {
    const events = awkward;
    const recorded = () => {
      const r = new TraceRecorder({ level: 'full', keepEvents: false });
      for (const e of events) r.record(e);
      return r.digestHex();
    };
    const withBytes = recorded();
    setTextHasherFactory(() => {
      const sha = new Sha256();
      return { update: (text: string) => sha.update(text), digestHex: () => sha.digestHex() };
    });
    expect(recorded()).toBe(withBytes);
    expect(withBytes).toBe(new Sha256().update(events.map((e) => canonicalJsonLine(e) + '\n').join('')).digestHex());
  });
});
