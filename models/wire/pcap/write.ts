/**
 * Writes a classic pcap file (draft-ietf-opsawg-pcap): little-endian, microsecond magic 0xA1B2C3D4, link type
 * LINKTYPE_RAW (101: each record is an IPv4 datagram), timestamps from the simulator's integer microseconds.
 */
import { WireEmitError } from '../result.ts';
import { LinkType } from './types.ts';

export interface PcapRecord {
  readonly timestampUs: number;
  readonly ipv4Bytes: Uint8Array;
}

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
export const PCAP_SNAPLEN = 65535;

function writeU32Le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

export function pcapLength(records: readonly PcapRecord[]): number {
  let total = GLOBAL_HEADER_BYTES;
  for (const r of records) total += RECORD_HEADER_BYTES + r.ipv4Bytes.length;
  return total;
}

export function writePcap(records: readonly PcapRecord[]): Uint8Array {
  const out = new Uint8Array(pcapLength(records));
  writeU32Le(out, 0, 0xa1b2c3d4);
  out[4] = 2; // version 2.4
  out[6] = 4;
  // thiszone, sigfigs: 0
  writeU32Le(out, 16, PCAP_SNAPLEN);
  writeU32Le(out, 20, LinkType.RAW);
  let at = GLOBAL_HEADER_BYTES;
  records.forEach((r, i) => {
    const us = r.timestampUs;
    if (!Number.isSafeInteger(us) || us < 0 || us >= 0x100000000 * 1_000_000) {
      throw new WireEmitError(
        `pcap.record[${i}].timestampUs`,
        `must be a non-negative integer below 2^32 s, got ${us}`,
      );
    }
    if (r.ipv4Bytes.length > PCAP_SNAPLEN) {
      throw new WireEmitError(`pcap.record[${i}].ipv4Bytes`, `${r.ipv4Bytes.length} bytes exceeds the snap length`);
    }
    writeU32Le(out, at, Math.floor(us / 1_000_000));
    writeU32Le(out, at + 4, us % 1_000_000);
    writeU32Le(out, at + 8, r.ipv4Bytes.length);
    writeU32Le(out, at + 12, r.ipv4Bytes.length);
    out.set(r.ipv4Bytes, at + RECORD_HEADER_BYTES);
    at += RECORD_HEADER_BYTES + r.ipv4Bytes.length;
  });
  return out;
}
