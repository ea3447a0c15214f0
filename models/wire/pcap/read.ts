/**
 * Reads pcap (both byte orders, µs and ns magic) and pcapng (SHB in either byte order, IDB, EPB, SPB; other blocks
 * skipped), https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng and draft-ietf-opsawg-pcap. Never throws: a
 * malformed file is a DecodeError naming the record/block index, the field and the absolute offset.
 */
import { decodeError, parsed, type ParseResult } from '../result.ts';
import { ipv4FromFrame } from './link.ts';
import type { Capture, CapturedPacket, SkippedRecord } from './types.ts';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const IDB_OPTION_TSRESOL = 9;

/** A little reader with a chosen byte order; callers check bounds before reading. */
class Reader {
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {}
  u16(at: number): number {
    const a = this.bytes[at] ?? 0;
    const b = this.bytes[at + 1] ?? 0;
    return this.littleEndian ? a | (b << 8) : (a << 8) | b;
  }
  u32(at: number): number {
    const b0 = this.bytes[at] ?? 0;
    const b1 = this.bytes[at + 1] ?? 0;
    const b2 = this.bytes[at + 2] ?? 0;
    const b3 = this.bytes[at + 3] ?? 0;
    return (
      (this.littleEndian ? (b3 << 24) | (b2 << 16) | (b1 << 8) | b0 : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0
    );
  }
}

function beU32(bytes: Uint8Array, at: number): number {
  return new Reader(bytes, false).u32(at);
}

/** 10^n or 2^n as a BigInt, by multiplication (no Math.pow in models/). */
function unitsPerSecond(tsresol: number): bigint {
  const base = (tsresol & 0x80) !== 0 ? 2n : 10n;
  let units = 1n;
  for (let i = 0; i < (tsresol & 0x7f); i++) units *= base;
  return units;
}

function toMicros(ticks: bigint, units: bigint): number {
  return Number((ticks * 1_000_000n) / units);
}

function collect(
  packets: CapturedPacket[],
  skipped: SkippedRecord[],
  index: number,
  timestampUs: number,
  linkType: number,
  frame: Uint8Array,
): void {
  const ip = ipv4FromFrame(linkType, frame);
  if (ip.ok) packets.push({ index, timestampUs, linkType, ipv4Bytes: ip.ipv4 });
  else skipped.push({ index, reason: ip.reason });
}

export function readPcap(input: Uint8Array): ParseResult<Capture> {
  const bytes = plain(input);
  if (bytes.length < 24) return decodeError('pcap.header', 0, `${bytes.length} bytes, the global header needs 24`);
  const be = beU32(bytes, 0);
  let r: Reader;
  let nanos: boolean;
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
    r = new Reader(bytes, false);
    nanos = be === PCAP_MAGIC_NS;
  } else {
    r = new Reader(bytes, true);
    const le = r.u32(0);
    if (le !== PCAP_MAGIC_US && le !== PCAP_MAGIC_NS)
      return decodeError('pcap.magic', 0, `0x${be.toString(16)} is not a pcap magic`);
    nanos = le === PCAP_MAGIC_NS;
  }
  // The low 16 bits are the link type; upper bits may carry FCS information (draft-ietf-opsawg-pcap §4).
  const linkType = r.u32(20) & 0xffff;
  const packets: CapturedPacket[] = [];
  const skipped: SkippedRecord[] = [];
  let at = 24;
  // Every record consumes at least 16 bytes: bounded by the file size.
  for (let index = 0; at < bytes.length; index++) {
    const f = `pcap.record[${index}]`;
    if (at + 16 > bytes.length)
      return decodeError(`${f}.header`, at, `${bytes.length - at} bytes, a record header needs 16`);
    const seconds = r.u32(at);
    const fraction = r.u32(at + 4);
    const capturedLength = r.u32(at + 8);
    if (fraction >= (nanos ? 1_000_000_000 : 1_000_000)) {
      return decodeError(`${f}.${nanos ? 'tsNsec' : 'tsUsec'}`, at + 4, `${fraction} is not below one second`);
    }
    if (at + 16 + capturedLength > bytes.length) {
      return decodeError(
        `${f}.capturedLength`,
        at + 8,
        `${capturedLength} bytes but only ${bytes.length - at - 16} left`,
      );
    }
    const timestampUs = seconds * 1_000_000 + (nanos ? Math.floor(fraction / 1000) : fraction);
    collect(packets, skipped, index, timestampUs, linkType, bytes.subarray(at + 16, at + 16 + capturedLength));
    at += 16 + capturedLength;
  }
  return parsed({ format: 'pcap', packets, skipped }, bytes.length);
}

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  readonly units: bigint;
}

function parseIdb(r: Reader, body: number, bodyEnd: number, field: string): ParseResult<Interface> {
  if (bodyEnd - body < 8) return decodeError(`${field}.linkType`, body, 'IDB body shorter than 8 bytes');
  const linkType = r.u16(body);
  const snapLength = r.u32(body + 4);
  let units = 1_000_000n; // default if_tsresol 6
  let at = body + 8;
  // Options: code(2) len(2) value padded to 4; opt_endofopt (0) ends them. Each consumes ≥ 4 bytes.
  while (at + 4 <= bodyEnd) {
    const code = r.u16(at);
    const len = r.u16(at + 2);
    if (code === 0) break;
    if (at + 4 + len > bodyEnd)
      return decodeError(`${field}.options`, at + 2, `option ${code} length ${len} runs past the block`);
    if (code === IDB_OPTION_TSRESOL && len >= 1) units = unitsPerSecond(r.bytes[at + 4] ?? 6);
    at += 4 + ((len + 3) & ~3);
  }
  return parsed({ linkType, snapLength, units }, bodyEnd - body);
}

export function readPcapng(input: Uint8Array): ParseResult<Capture> {
  const bytes = plain(input);
  const packets: CapturedPacket[] = [];
  const skipped: SkippedRecord[] = [];
  let interfaces: Interface[] = [];
  let r = new Reader(bytes, true);
  let at = 0;
  let packetIndex = 0;
  // Every block is at least 12 bytes and `at` only grows: bounded by the file size.
  for (let block = 0; at < bytes.length; block++) {
    if (at + 12 > bytes.length)
      return decodeError(`pcapng.block[${block}]`, at, `${bytes.length - at} bytes, a block needs 12`);
    const typeBe = beU32(bytes, at);
    if (typeBe === PCAPNG_SHB) {
      // A new section: its byte-order magic decides how to read everything up to the next SHB.
      const magicLe = new Reader(bytes, true).u32(at + 8);
      if (magicLe === PCAPNG_BYTE_ORDER_MAGIC) r = new Reader(bytes, true);
      else if (beU32(bytes, at + 8) === PCAPNG_BYTE_ORDER_MAGIC) r = new Reader(bytes, false);
      else
        return decodeError(`pcapng.block[${block}](SHB).byteOrderMagic`, at + 8, 'not 0x1A2B3C4D in either byte order');
      interfaces = [];
    } else if (block === 0) {
      return decodeError('pcapng.block[0]', 0, 'a pcapng file starts with a Section Header Block');
    }
    const type = r.u32(at);
    const name =
      type === BLOCK_IDB
        ? 'IDB'
        : type === BLOCK_EPB
          ? 'EPB'
          : type === BLOCK_SPB
            ? 'SPB'
            : type === PCAPNG_SHB
              ? 'SHB'
              : `type ${type}`;
    const field = `pcapng.block[${block}](${name})`;
    const totalLength = r.u32(at + 4);
    if (totalLength < 12 || totalLength % 4 !== 0 || at + totalLength > bytes.length) {
      return decodeError(
        `${field}.blockTotalLength`,
        at + 4,
        `${totalLength} is not a multiple of 4 within the ${bytes.length - at} bytes left`,
      );
    }
    if (r.u32(at + totalLength - 4) !== totalLength) {
      return decodeError(`${field}.trailingBlockTotalLength`, at + totalLength - 4, `does not repeat ${totalLength}`);
    }
    const body = at + 8;
    const bodyEnd = at + totalLength - 4;
    if (type === BLOCK_IDB) {
      const idb = parseIdb(r, body, bodyEnd, field);
      if (!idb.ok) return idb;
      interfaces.push(idb.value);
    } else if (type === BLOCK_EPB) {
      if (bodyEnd - body < 20) return decodeError(`${field}`, body, 'EPB body shorter than 20 bytes');
      const interfaceId = r.u32(body);
      const iface = interfaces[interfaceId];
      if (iface === undefined)
        return decodeError(`${field}.interfaceId`, body, `no interface ${interfaceId} in this section`);
      const ticks = (BigInt(r.u32(body + 4)) << 32n) | BigInt(r.u32(body + 8));
      const capturedLength = r.u32(body + 12);
      if (body + 20 + capturedLength > bodyEnd) {
        return decodeError(`${field}.capturedLength`, body + 12, `${capturedLength} runs past the block`);
      }
      collect(
        packets,
        skipped,
        packetIndex,
        toMicros(ticks, iface.units),
        iface.linkType,
        bytes.subarray(body + 20, body + 20 + capturedLength),
      );
      packetIndex++;
    } else if (type === BLOCK_SPB) {
      // SPB: original length, then the packet up to the snap length of interface 0 (no timestamp: 0).
      const iface = interfaces[0];
      if (iface === undefined) return decodeError(`${field}`, body, 'SPB without an interface 0');
      if (bodyEnd - body < 4) return decodeError(`${field}.originalLength`, body, 'SPB body shorter than 4 bytes');
      const originalLength = r.u32(body);
      const snap = iface.snapLength === 0 ? originalLength : Math.min(originalLength, iface.snapLength);
      const capturedLength = Math.min(snap, bodyEnd - body - 4);
      collect(packets, skipped, packetIndex, 0, iface.linkType, bytes.subarray(body + 4, body + 4 + capturedLength));
      packetIndex++;
    }
    at += totalLength;
  }
  return parsed({ format: 'pcapng', packets, skipped }, bytes.length);
}

/** A plain Uint8Array view: a Node Buffer's `slice` shares memory, and values must hold plain copies. */
function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** pcap or pcapng, by magic. */
export function readCapture(input: Uint8Array): ParseResult<Capture> {
  const bytes = plain(input);
  if (bytes.length >= 4 && beU32(bytes, 0) === PCAPNG_SHB) return readPcapng(bytes);
  return readPcap(bytes);
}
