import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  readCapture,
  readPcap,
  readPcapng,
  writePcap,
  LinkType,
  ipv4FromFrame,
} from '../../../../models/wire/pcap/index.ts';
import { emitIpv4 } from '../../../../models/wire/ipv4.ts';
import { concatBytes, toHex } from '../../../../models/wire/bytes.ts';
import { WireEmitError } from '../../../../models/wire/result.ts';
import { CAPTURES_DIR } from '../../../support/captures.ts';

const ip = emitIpv4({
  tos: 0,
  identification: 1,
  flags: 0,
  fragmentOffset: 0,
  ttl: 64,
  protocol: 17,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  options: new Uint8Array(0),
  payload: Uint8Array.of(0, 1, 0, 2, 0, 8, 0, 0),
});

function u16(v: number, le: boolean): number[] {
  return le ? [v & 0xff, v >>> 8] : [v >>> 8, v & 0xff];
}
function u32(v: number, le: boolean): number[] {
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return le ? b.reverse() : b;
}
function pad4(b: Uint8Array): number[] {
  return [...b, ...new Array<number>((4 - (b.length % 4)) % 4).fill(0)];
}
function block(type: number, body: number[], le: boolean): number[] {
  const total = 12 + body.length;
  return [...u32(type, le), ...u32(total, le), ...body, ...u32(total, le)];
}
function shb(le: boolean): number[] {
  return block(
    0x0a0d0d0a,
    [...u32(0x1a2b3c4d, le), ...u16(1, le), ...u16(0, le), ...new Array<number>(8).fill(0xff)],
    le,
  );
}
function idb(linkType: number, le: boolean, tsresol?: number): number[] {
  const opts =
    tsresol === undefined ? [] : [...u16(9, le), ...u16(1, le), tsresol, 0, 0, 0, ...u16(0, le), ...u16(0, le)];
  return block(1, [...u16(linkType, le), 0, 0, ...u32(65535, le), ...opts], le);
}
function epb(ticks: bigint, frame: Uint8Array, le: boolean): number[] {
  const hi = Number(ticks >> 32n);
  const lo = Number(ticks & 0xffffffffn);
  return block(
    6,
    [...u32(0, le), ...u32(hi, le), ...u32(lo, le), ...u32(frame.length, le), ...u32(frame.length, le), ...pad4(frame)],
    le,
  );
}

describe('pcap reader', () => {
  it('reads the Kea capture (pcapng, Ethernet)', () => {
    const cap = readCapture(readFileSync(`${CAPTURES_DIR}kea-relay.pcap`));
    if (!cap.ok) throw new Error(JSON.stringify(cap.error));
    expect(cap.value.format).toBe('pcapng');
    expect(cap.value.packets.length).toBe(9);
    expect(cap.value.skipped).toEqual([]);
    const first = cap.value.packets[0];
    expect(first?.linkType).toBe(LinkType.ETHERNET);
    expect(first?.ipv4Bytes.length).toBe(328);
    expect(toHex(first?.ipv4Bytes.subarray(0, 4) ?? new Uint8Array(0))).toBe('45000148');
    // Frame 2 is 1.644538 ms after frame 1 (tshark: 0.001644538 s): µs precision truncates the ns.
    expect((cap.value.packets[1]?.timestampUs ?? 0) - (first?.timestampUs ?? 0)).toBe(1644);
  });

  it('reads the strongSwan capture (pcapng, Linux SLL)', () => {
    const cap = readCapture(readFileSync(`${CAPTURES_DIR}strongswan-cp-pool.pcap`));
    if (!cap.ok) throw new Error(JSON.stringify(cap.error));
    expect(cap.value.packets.map((p) => p.linkType)).toEqual(new Array(10).fill(LinkType.LINUX_SLL));
    expect(cap.value.packets.map((p) => p.ipv4Bytes.length)).toEqual(
      [508, 516, 352, 320, 132, 132, 128, 128, 128, 128].map((n) => n - 16),
    );
  });

  it('round-trips its own pcap output (LINKTYPE_RAW, µs)', () => {
    const file = writePcap([
      { timestampUs: 0, ipv4Bytes: ip },
      { timestampUs: 1_234_567_890, ipv4Bytes: ip },
    ]);
    expect(toHex(file.subarray(0, 24))).toBe(
      'd4c3b2a1' + '02000400' + '00000000' + '00000000' + 'ffff0000' + '65000000',
    );
    expect(toHex(file.subarray(24 + 16 + ip.length, 24 + 16 + ip.length + 8))).toBe('d2040000' + '52aa0800');
    const cap = readPcap(file);
    expect(cap.ok && cap.value.packets).toEqual([
      { index: 0, timestampUs: 0, linkType: 101, ipv4Bytes: ip },
      { index: 1, timestampUs: 1_234_567_890, linkType: 101, ipv4Bytes: ip },
    ]);
    expect(() => writePcap([{ timestampUs: -1, ipv4Bytes: ip }])).toThrow(WireEmitError);
  });

  it('reads big-endian and nanosecond pcap', () => {
    for (const le of [false, true]) {
      for (const [magic, fraction, us] of [
        [0xa1b2c3d4, 250_000, 7_250_000],
        [0xa1b23c4d, 250_000_999, 7_250_000],
      ] as const) {
        const file = Uint8Array.from([
          ...u32(magic, le),
          ...u16(2, le),
          ...u16(4, le),
          ...u32(0, le),
          ...u32(0, le),
          ...u32(65535, le),
          ...u32(228, le),
          ...u32(7, le),
          ...u32(fraction, le),
          ...u32(ip.length, le),
          ...u32(ip.length, le),
          ...ip,
        ]);
        const cap = readPcap(file);
        expect(cap.ok && cap.value.packets).toEqual([{ index: 0, timestampUs: us, linkType: 228, ipv4Bytes: ip }]);
      }
    }
  });

  it('reads pcapng in both byte orders with tsresol, SPB, SLL2, VLAN and skips unknown blocks', () => {
    for (const le of [true, false]) {
      const eth = Uint8Array.from([...new Array<number>(12).fill(2), 0x81, 0x00, 0, 5, 0x08, 0x00, ...ip, 0, 0, 0]);
      const sll2 = Uint8Array.from([0x08, 0x00, ...new Array<number>(18).fill(0), ...ip]);
      const file = Uint8Array.from([
        ...shb(le),
        ...idb(LinkType.ETHERNET, le, 9), // ns
        ...block(0x0bad, [1, 2, 3, 4], le), // unknown: skipped
        ...epb(5_000_001_999n, eth, le),
        ...block(3, [...u32(ip.length, le), ...pad4(ip)], le), // SPB, interface 0
        ...shb(le),
        ...idb(LinkType.LINUX_SLL2, le, 0x80 | 10), // 2^-10 s
        ...epb(2048n, sll2, le),
      ]);
      const cap = readPcapng(file);
      if (!cap.ok) throw new Error(JSON.stringify(cap.error));
      expect(cap.value.packets).toEqual([
        { index: 0, timestampUs: 5_000_001, linkType: 1, ipv4Bytes: ip },
        { index: 2, timestampUs: 2_000_000, linkType: 276, ipv4Bytes: ip },
      ]);
      // The SPB holds a raw IPv4 datagram on an Ethernet interface: not an Ethernet frame with IPv4.
      expect(cap.value.skipped.map((s) => s.index)).toEqual([1]);
    }
  });

  it('lists non-IPv4 frames as skipped', () => {
    expect(
      ipv4FromFrame(LinkType.ETHERNET, Uint8Array.from([...new Array<number>(12).fill(0), 0x86, 0xdd, 0x60])),
    ).toEqual({
      ok: false,
      reason: 'ethertype 0x86dd, not IPv4',
    });
    expect(ipv4FromFrame(LinkType.RAW, Uint8Array.of(0x60, 0))).toEqual({
      ok: false,
      reason: 'IP version 6, not IPv4',
    });
    expect(ipv4FromFrame(147, ip)).toEqual({ ok: false, reason: 'link type 147 is not supported' });
  });

  it('names the record, field and offset of a malformed file', () => {
    const file = writePcap([
      { timestampUs: 1, ipv4Bytes: ip },
      { timestampUs: 2, ipv4Bytes: ip },
    ]);
    expect(readPcap(file.subarray(0, file.length - 1))).toEqual({
      ok: false,
      error: {
        field: 'pcap.record[1].capturedLength',
        offset: 24 + 16 + ip.length + 8,
        reason: `${ip.length} bytes but only ${ip.length - 1} left`,
      },
    });
    expect(readCapture(Uint8Array.of(1, 2, 3))).toMatchObject({
      ok: false,
      error: { field: 'pcap.header', offset: 0 },
    });
    const ng = Uint8Array.from([...shb(true), ...idb(1, true), ...epb(0n, ip, true)]);
    const broken = ng.slice();
    broken[ng.length - 4] = 0;
    expect(readPcapng(broken)).toMatchObject({
      ok: false,
      error: { field: 'pcapng.block[2](EPB).trailingBlockTotalLength' },
    });
    const noIdb = Uint8Array.from([...shb(true), ...epb(0n, ip, true)]);
    expect(readPcapng(noIdb)).toMatchObject({
      ok: false,
      error: { field: 'pcapng.block[1](EPB).interfaceId', offset: 28 + 8 },
    });
  });

  test.prop([fc.uint8Array({ maxLength: 200 })])('never throws on arbitrary bytes', (bytes) => {
    for (const reader of [readPcap, readPcapng, readCapture]) {
      const r = reader(bytes);
      if (!r.ok) expect(r.error.offset).toBeLessThanOrEqual(bytes.length);
    }
  });

  test.prop([fc.nat(), fc.nat(255)])('never throws on a mutated real capture', (at, value) => {
    const bytes = new Uint8Array(readFileSync(`${CAPTURES_DIR}kea-relay.pcap`));
    bytes[at % bytes.length] = value;
    const r = readCapture(concatBytes([bytes]));
    expect(typeof r.ok).toBe('boolean');
  });
});
