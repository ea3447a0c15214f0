/**
 * `npm run fuzz [-- --cases N] [-- --seed S]`: feeds every parser N random byte strings (default 1,000,000) plus
 * N/10 mutations of valid messages (1–4 bytes overwritten, or truncated), and prints JSON with the crashes per codec
 * (expected 0). A crash is a thrown exception, or an error/result that breaks the parse contract (offset outside the
 * input, bytesRead past the end). Deterministic for a seed; exit code 1 on any crash.
 */
import fc from 'fast-check';
import { parseIpv4 } from '../models/wire/ipv4.ts';
import { parseUdp } from '../models/wire/udp.ts';
import { parseEsp, parseSealedEsp } from '../models/wire/esp.ts';
import { emitDhcpMessage, parseDhcpMessage } from '../models/wire/dhcp/codec.ts';
import { emitPacket, parsePacket } from '../models/wire/packet.ts';
import { readCapture, writePcap } from '../models/wire/pcap/index.ts';
import { emitIkeMessage, ikeSampleMessages, parseIkeMessage } from '../models/wire/ike/index.ts';
import type { ParseResult } from '../models/wire/result.ts';
import { dhcpMessageArb } from '../test/models/wire/arbitraries/dhcp.ts';
import { packetArb } from '../test/models/wire/arbitraries/packet.ts';
import { wireSampleRecords } from '../scripts/wire-sample.ts';

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`fuzz: ${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

const cases = argument('--cases', 1_000_000);
const seed = argument('--seed', 0x5eed);
const mutatedCases = Math.max(1, Math.floor(cases / 10));

/** xorshift32: fast, deterministic bytes. */
let state = seed === 0 ? 1 : seed >>> 0;
function next(): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state;
}
function randomBytes(maxLength: number): Uint8Array {
  const out = new Uint8Array(next() % (maxLength + 1));
  for (let i = 0; i < out.length; i++) out[i] = next() & 0xff;
  return out;
}
function mutate(valid: Uint8Array): Uint8Array {
  if (valid.length === 0) return valid;
  if (next() % 8 === 0) return valid.slice(0, next() % valid.length); // truncated
  const out = valid.slice();
  const flips = 1 + (next() % 4);
  for (let i = 0; i < flips; i++) out[next() % out.length] = next() & 0xff;
  return out;
}

interface Target {
  readonly name: string;
  readonly parse: (bytes: Uint8Array) => ParseResult<unknown>;
  readonly maxLength: number;
  readonly valid: readonly Uint8Array[];
}

const fcSeed = { seed, numRuns: 50 };
const dhcpSamples = fc.sample(dhcpMessageArb, fcSeed).map((m) => emitDhcpMessage(m, { maxMessageBytes: 0xffff }));
const packetSamples = [
  ...wireSampleRecords().map((r) => r.ipv4Bytes),
  ...fc.sample(packetArb, fcSeed).map((p) => emitPacket(p)),
];
const ikeSamples = ikeSampleMessages().map((m) => emitIkeMessage(m));
const pseudo = { src: '192.0.2.1', dst: '192.0.2.2' };

const targets: Target[] = [
  { name: 'ipv4', parse: (b) => parseIpv4(b, 0), maxLength: 80, valid: packetSamples },
  { name: 'udp', parse: (b) => parseUdp(b, 0, pseudo), maxLength: 60, valid: packetSamples.map((p) => p.subarray(20)) },
  { name: 'esp', parse: (b) => parseEsp(b, 0), maxLength: 80, valid: packetSamples.map((p) => p.subarray(20)) },
  {
    name: 'esp(sealed)',
    parse: (b) => parseSealedEsp(b, 0),
    maxLength: 120,
    valid: packetSamples.map((p) => p.subarray(20)),
  },
  { name: 'dhcp', parse: (b) => parseDhcpMessage(b, 0), maxLength: 400, valid: dhcpSamples },
  { name: 'ike', parse: (b) => parseIkeMessage(b, 0), maxLength: 300, valid: ikeSamples },
  { name: 'packet', parse: (b) => parsePacket(b), maxLength: 400, valid: packetSamples },
  {
    name: 'pcap',
    parse: (b) => readCapture(b),
    maxLength: 200,
    valid: [writePcap(wireSampleRecords().slice(0, 3))],
  },
];

interface Crash {
  readonly kind: 'random' | 'mutated';
  readonly case: number;
  readonly bytesHex: string;
  readonly problem: string;
}

function check(target: Target, bytes: Uint8Array): string | null {
  try {
    const r = target.parse(bytes);
    if (r.ok) return r.bytesRead <= bytes.length ? null : `bytesRead ${r.bytesRead} > ${bytes.length}`;
    const { field, offset } = r.error;
    if (typeof field !== 'string' || field.length === 0) return 'error without a field';
    if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length)
      return `error offset ${offset} outside [0, ${bytes.length}]`;
    return null;
  } catch (e) {
    return `threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const report: Record<string, { random: number; mutated: number; crashes: number; firstCrashes: Crash[] }> = {};
let totalCrashes = 0;
for (const target of targets) {
  const firstCrashes: Crash[] = [];
  let crashes = 0;
  const record = (kind: Crash['kind'], i: number, bytes: Uint8Array, problem: string | null): void => {
    if (problem === null) return;
    crashes++;
    if (firstCrashes.length < 3)
      firstCrashes.push({ kind, case: i, bytesHex: Buffer.from(bytes).toString('hex'), problem });
  };
  for (let i = 0; i < cases; i++) {
    const bytes = randomBytes(target.maxLength);
    record('random', i, bytes, check(target, bytes));
  }
  for (let i = 0; i < mutatedCases && target.valid.length > 0; i++) {
    const bytes = mutate(target.valid[i % target.valid.length] ?? new Uint8Array(0));
    record('mutated', i, bytes, check(target, bytes));
  }
  totalCrashes += crashes;
  report[target.name] = { random: cases, mutated: target.valid.length > 0 ? mutatedCases : 0, crashes, firstCrashes };
}

console.log(JSON.stringify({ fuzz: 'codecs', seed, casesPerCodec: cases, totalCrashes, codecs: report }, null, 1));
process.exitCode = totalCrashes === 0 ? 0 : 1;
