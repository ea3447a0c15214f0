/**
 * Reads pcap (both byte orders, µs and ns magic) and pcapng (SHB in either byte order, IDB, EPB, SPB; other blocks
 * skipped), https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng and draft-ietf-opsawg-pcap. Never throws: a
 * malformed file is a DecodeError naming the record/block index, the field and the absolute offset. The `stream*`
 * readers take a ByteSource and hand each packet to a visitor as it is parsed (records already visited stay visited
 * when a later one is malformed); `read*` gather them from bytes in memory.
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

/**
 * Random access to a capture's bytes: a file read in chunks (the CLI's `decode`) or bytes in memory. The readers ask
 * for one record header, then one record, at a time, so a file source keeps only the record being parsed in memory.
 */
export interface ByteSource {
  /** Total length in bytes. */
  readonly length: number;
  /** The bytes `[at, at + length)`; callers check the range lies within `length`. The result may be a view. */
  read(at: number, length: number): Uint8Array;
}

/** Receives each packet record as it is parsed (before the next one is read). */
export interface CaptureVisitor {
  packet(p: CapturedPacket): void;
  skipped(s: SkippedRecord): void;
}

/** What a streamed capture reports at the end: its format and how many records of each kind were visited. */
export interface CaptureSummary {
  readonly format: 'pcap' | 'pcapng';
  readonly packets: number;
  readonly skipped: number;
}

/** A source over bytes in memory. */
export function memorySource(input: Uint8Array): ByteSource {
  const bytes = plain(input);
  return { length: bytes.length, read: (at, length) => bytes.subarray(at, at + length) };
}

class Counter implements CaptureVisitor {
  packets = 0;
  skippedCount = 0;
  constructor(private readonly visit: CaptureVisitor) {}
  packet(p: CapturedPacket): void {
    this.packets++;
    this.visit.packet(p);
  }
  skipped(s: SkippedRecord): void {
    this.skippedCount++;
    this.visit.skipped(s);
  }
}

function collect(visit: CaptureVisitor, index: number, timestampUs: number, linkType: number, frame: Uint8Array): void {
  const ip = ipv4FromFrame(linkType, frame);
  if (ip.ok) visit.packet({ index, timestampUs, linkType, ipv4Bytes: ip.ipv4 });
  else visit.skipped({ index, reason: ip.reason });
}

/** pcap from a source, each record handed to `visit` as it is parsed. Errors name the record and absolute offset. */
export function streamPcap(source: ByteSource, visitor: CaptureVisitor): ParseResult<CaptureSummary> {
  const length = source.length;
  if (length < 24) return decodeError('pcap.header', 0, `${length} bytes, the global header needs 24`);
  const header = source.read(0, 24);
  const be = beU32(header, 0);
  let littleEndian: boolean;
  let nanos: boolean;
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
    littleEndian = false;
    nanos = be === PCAP_MAGIC_NS;
  } else {
    littleEndian = true;
    const le = new Reader(header, true).u32(0);
    if (le !== PCAP_MAGIC_US && le !== PCAP_MAGIC_NS)
      return decodeError('pcap.magic', 0, `0x${be.toString(16)} is not a pcap magic`);
    nanos = le === PCAP_MAGIC_NS;
  }
  // The low 16 bits are the link type; upper bits may carry FCS information (draft-ietf-opsawg-pcap §4).
  const linkType = new Reader(header, littleEndian).u32(20) & 0xffff;
  const visit = new Counter(visitor);
  let at = 24;
  // Every record consumes at least 16 bytes: bounded by the file size.
  for (let index = 0; at < length; index++) {
    const f = `pcap.record[${index}]`;
    if (at + 16 > length) return decodeError(`${f}.header`, at, `${length - at} bytes, a record header needs 16`);
    const r = new Reader(source.read(at, 16), littleEndian);
    const seconds = r.u32(0);
    const fraction = r.u32(4);
    const capturedLength = r.u32(8);
    if (fraction >= (nanos ? 1_000_000_000 : 1_000_000)) {
      return decodeError(`${f}.${nanos ? 'tsNsec' : 'tsUsec'}`, at + 4, `${fraction} is not below one second`);
    }
    if (at + 16 + capturedLength > length) {
      return decodeError(`${f}.capturedLength`, at + 8, `${capturedLength} bytes but only ${length - at - 16} left`);
    }
    const timestampUs = seconds * 1_000_000 + (nanos ? Math.floor(fraction / 1000) : fraction);
    collect(visit, index, timestampUs, linkType, source.read(at + 16, capturedLength));
    at += 16 + capturedLength;
  }
  return parsed({ format: 'pcap', packets: visit.packets, skipped: visit.skippedCount }, length);
}

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  readonly units: bigint;
}

/** An IDB's body within `r` (one block); `base` is the block's absolute offset, for errors. */
function parseIdb(r: Reader, body: number, bodyEnd: number, field: string, base: number): ParseResult<Interface> {
  if (bodyEnd - body < 8) return decodeError(`${field}.linkType`, base + body, 'IDB body shorter than 8 bytes');
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
      return decodeError(`${field}.options`, base + at + 2, `option ${code} length ${len} runs past the block`);
    if (code === IDB_OPTION_TSRESOL && len >= 1) units = unitsPerSecond(r.bytes[at + 4] ?? 6);
    at += 4 + ((len + 3) & ~3);
  }
  return parsed({ linkType, snapLength, units }, bodyEnd - body);
}

function blockName(type: number): string {
  if (type === BLOCK_IDB) return 'IDB';
  if (type === BLOCK_EPB) return 'EPB';
  if (type === BLOCK_SPB) return 'SPB';
  if (type === PCAPNG_SHB) return 'SHB';
  return `type ${type}`;
}

/**
 * pcapng from a source, each packet handed to `visit` as it is parsed. A block is read whole only when it is one the
 * reader uses (IDB, EPB, SPB); others are checked by their two length fields and skipped without reading the body.
 */
export function streamPcapng(source: ByteSource, visitor: CaptureVisitor): ParseResult<CaptureSummary> {
  const length = source.length;
  const visit = new Counter(visitor);
  let interfaces: Interface[] = [];
  let littleEndian = true;
  let at = 0;
  let packetIndex = 0;
  // Every block is at least 12 bytes and `at` only grows: bounded by the file size.
  for (let block = 0; at < length; block++) {
    if (at + 12 > length) return decodeError(`pcapng.block[${block}]`, at, `${length - at} bytes, a block needs 12`);
    const head = source.read(at, 12);
    const typeBe = beU32(head, 0);
    if (typeBe === PCAPNG_SHB) {
      // A new section: its byte-order magic decides how to read everything up to the next SHB.
      if (new Reader(head, true).u32(8) === PCAPNG_BYTE_ORDER_MAGIC) littleEndian = true;
      else if (beU32(head, 8) === PCAPNG_BYTE_ORDER_MAGIC) littleEndian = false;
      else
        return decodeError(`pcapng.block[${block}](SHB).byteOrderMagic`, at + 8, 'not 0x1A2B3C4D in either byte order');
      interfaces = [];
    } else if (block === 0) {
      return decodeError('pcapng.block[0]', 0, 'a pcapng file starts with a Section Header Block');
    }
    const h = new Reader(head, littleEndian);
    const type = h.u32(0);
    const field = `pcapng.block[${block}](${blockName(type)})`;
    const totalLength = h.u32(4);
    if (totalLength < 12 || totalLength % 4 !== 0 || at + totalLength > length) {
      return decodeError(
        `${field}.blockTotalLength`,
        at + 4,
        `${totalLength} is not a multiple of 4 within the ${length - at} bytes left`,
      );
    }
    if (new Reader(source.read(at + totalLength - 4, 4), littleEndian).u32(0) !== totalLength) {
      return decodeError(`${field}.trailingBlockTotalLength`, at + totalLength - 4, `does not repeat ${totalLength}`);
    }
    if (type === BLOCK_IDB || type === BLOCK_EPB || type === BLOCK_SPB) {
      // Offsets below are within the block; errors add `at`.
      const r = new Reader(source.read(at, totalLength), littleEndian);
      const body = 8;
      const bodyEnd = totalLength - 4;
      if (type === BLOCK_IDB) {
        const idb = parseIdb(r, body, bodyEnd, field, at);
        if (!idb.ok) return idb;
        interfaces.push(idb.value);
      } else if (type === BLOCK_EPB) {
        if (bodyEnd - body < 20) return decodeError(`${field}`, at + body, 'EPB body shorter than 20 bytes');
        const interfaceId = r.u32(body);
        const iface = interfaces[interfaceId];
        if (iface === undefined)
          return decodeError(`${field}.interfaceId`, at + body, `no interface ${interfaceId} in this section`);
        const ticks = (BigInt(r.u32(body + 4)) << 32n) | BigInt(r.u32(body + 8));
        const capturedLength = r.u32(body + 12);
        if (body + 20 + capturedLength > bodyEnd) {
          return decodeError(`${field}.capturedLength`, at + body + 12, `${capturedLength} runs past the block`);
        }
        collect(
          visit,
          packetIndex,
          toMicros(ticks, iface.units),
          iface.linkType,
          r.bytes.subarray(body + 20, body + 20 + capturedLength),
        );
        packetIndex++;
      } else {
        // SPB: original length, then the packet up to the snap length of interface 0 (no timestamp: 0).
        const iface = interfaces[0];
        if (iface === undefined) return decodeError(`${field}`, at + body, 'SPB without an interface 0');
        if (bodyEnd - body < 4)
          return decodeError(`${field}.originalLength`, at + body, 'SPB body shorter than 4 bytes');
        const originalLength = r.u32(body);
        const snap = iface.snapLength === 0 ? originalLength : Math.min(originalLength, iface.snapLength);
        const capturedLength = Math.min(snap, bodyEnd - body - 4);
        collect(visit, packetIndex, 0, iface.linkType, r.bytes.subarray(body + 4, body + 4 + capturedLength));
        packetIndex++;
      }
    }
    at += totalLength;
  }
  return parsed({ format: 'pcapng', packets: visit.packets, skipped: visit.skippedCount }, length);
}

/** pcap or pcapng from a source, by magic, streamed. */
export function streamCapture(source: ByteSource, visit: CaptureVisitor): ParseResult<CaptureSummary> {
  if (source.length >= 4 && beU32(source.read(0, 4), 0) === PCAPNG_SHB) return streamPcapng(source, visit);
  return streamPcap(source, visit);
}

/** Runs a streaming reader over bytes in memory and gathers its records into a Capture. */
function gather(
  input: Uint8Array,
  stream: (source: ByteSource, visit: CaptureVisitor) => ParseResult<CaptureSummary>,
): ParseResult<Capture> {
  const packets: CapturedPacket[] = [];
  const skipped: SkippedRecord[] = [];
  const r = stream(memorySource(input), { packet: (p) => packets.push(p), skipped: (s) => skipped.push(s) });
  if (!r.ok) return r;
  return parsed({ format: r.value.format, packets, skipped }, r.bytesRead);
}

export function readPcap(input: Uint8Array): ParseResult<Capture> {
  return gather(input, streamPcap);
}

export function readPcapng(input: Uint8Array): ParseResult<Capture> {
  return gather(input, streamPcapng);
}

/** A plain Uint8Array view: a Node Buffer's `slice` shares memory, and values must hold plain copies. */
function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** pcap or pcapng, by magic. */
export function readCapture(input: Uint8Array): ParseResult<Capture> {
  return gather(input, streamCapture);
}
