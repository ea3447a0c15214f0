/**
 * IKE_SA_INIT as real clients send it (RFC 7296 §2.23 NAT-D, RFC 6023 §3 CHILDLESS_IKEV2_SUPPORTED) and the first
 * IKE_AUTH's INITIAL_CONTACT (RFC 7296 §2.4): the hash checked against strongSwan's captures, the lab's packets read
 * back from their bytes, and Wireshark reading the lab's capture without a complaint.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { natDetectionHash, natDetectionPayloads } from '../../../models/ike/nat-detection.ts';
import { notifyPayload } from '../../../models/wire/ike/index.ts';
import { sha1 } from '../../../models/wire/sha1.ts';
import { fromHex, toHex } from '../../../models/wire/bytes.ts';
import { parsePacket } from '../../../models/wire/packet.ts';
import { readCapture, writePcap } from '../../../models/wire/pcap/index.ts';
import type { IkeMessage } from '../../../models/wire/ike/index.ts';
import { runScenario } from '../../../scenarios/run.ts';
import type { TraceEvent } from '../../../sim/index.ts';
import { capturePath } from '../../support/captures.ts';

const TSHARK = '/usr/bin/tshark';

function tshark(args: readonly string[]): string {
  if (!existsSync(TSHARK)) throw new Error(`tshark is required for this test but ${TSHARK} does not exist`);
  return execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const text = (s: string) => new TextEncoder().encode(s);

describe('SHA-1 (FIPS 180-4) for NAT-D', () => {
  it('the FIPS 180 examples and a two-block message', () => {
    expect(toHex(sha1(text('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(sha1(text('')))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(toHex(sha1(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
  });
});

/** The IKE_SA_INIT messages of a capture with the ends each was sent with. */
function captureInits(name: string): { src: string; dst: string; m: IkeMessage }[] {
  const r = readCapture(readFileSync(capturePath(name)));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const out: { src: string; dst: string; m: IkeMessage }[] = [];
  for (const p of r.value.packets) {
    const pk = parsePacket(p.ipv4Bytes);
    if (!pk.ok || pk.value.payload.kind !== 'udp' || pk.value.payload.app.kind !== 'ike') continue;
    const m = pk.value.payload.app.message;
    if (m.exchangeType === 34) out.push({ src: pk.value.ip.src, dst: pk.value.ip.dst, m });
  }
  return out;
}

function natHashes(m: IkeMessage): { source: string; destination: string } {
  let source = '';
  let destination = '';
  for (const p of m.payloads) {
    if (p.kind !== 'N') continue;
    if (p.notify === 'NAT_DETECTION_SOURCE_IP') source = toHex(p.hash);
    if (p.notify === 'NAT_DETECTION_DESTINATION_IP') destination = toHex(p.hash);
  }
  return { source, destination };
}

describe("NAT_DETECTION_DESTINATION_IP = SHA-1(SPIi | SPIr | IP | port): strongSwan's values", () => {
  it.each(['strongswan-cp-pool.pcap', 'strongswan-dhcp-plugin.pcap'])('%s', (name) => {
    const inits = captureInits(name);
    expect(inits.map((i) => i.m.response)).toEqual([false, true]);
    for (const { dst, m } of inits) {
      // The header's SPIs as they are (SPIr zero in the request), the receiver's address, UDP 500.
      expect(natHashes(m).destination).toBe(toHex(natDetectionHash(m.spiI, m.spiR, { address: dst, port: 500 })));
    }
    // The captures' SOURCE hashes are strongSwan's fake (`encap = yes`: the peers float to UDP 4500 without a NAT),
    // so they must NOT match the real source: the comparison above is not vacuous.
    const { src, m } = inits[0] ?? { src: '', m: undefined };
    if (m === undefined) throw new Error('no IKE_SA_INIT');
    expect(natHashes(m).source).not.toBe(toHex(natDetectionHash(m.spiI, m.spiR, { address: src, port: 500 })));
  });
});

function sentIke(trace: readonly TraceEvent[]): { src: string; dst: string; m: IkeMessage; bytes: Uint8Array }[] {
  const out: { src: string; dst: string; m: IkeMessage; bytes: Uint8Array }[] = [];
  for (const e of trace) {
    if (e.type !== 'send') continue;
    const bytes = fromHex(e.bytes);
    const pk = parsePacket(bytes);
    if (!pk.ok || pk.value.payload.kind !== 'udp' || pk.value.payload.app.kind !== 'ike') continue;
    out.push({ src: pk.value.ip.src, dst: pk.value.ip.dst, m: pk.value.payload.app.message, bytes });
  }
  return out;
}

const names = (m: IkeMessage) => m.payloads.map((p) => (p.kind === 'N' ? `N(${p.notify})` : p.kind));

describe('the lab sends them', () => {
  const seed = runScenario('basic', { method: 'dhcp-over-ike' });
  const ike = sentIke(seed.trace ?? []);

  it('seed (childless IKE_AUTH): IKE_SA_INIT both ways with NAT-D of the real ends and CHILDLESS_IKEV2_SUPPORTED', () => {
    const inits = ike.filter((i) => i.m.exchangeType === 34);
    expect(inits.map((i) => names(i.m))).toEqual([
      [
        'SA',
        'KE',
        'Nonce',
        'N(NAT_DETECTION_SOURCE_IP)',
        'N(NAT_DETECTION_DESTINATION_IP)',
        'N(CHILDLESS_IKEV2_SUPPORTED)',
      ],
      [
        'SA',
        'KE',
        'Nonce',
        'N(NAT_DETECTION_SOURCE_IP)',
        'N(NAT_DETECTION_DESTINATION_IP)',
        'N(CHILDLESS_IKEV2_SUPPORTED)',
      ],
    ]);
    for (const { src, dst, m } of inits) {
      expect(natHashes(m)).toEqual({
        source: toHex(natDetectionHash(m.spiI, m.spiR, { address: src, port: 500 })),
        destination: toHex(natDetectionHash(m.spiI, m.spiR, { address: dst, port: 500 })),
      });
    }
    // The request hashes SPIr = 0, the response its own SPIr (RFC 7296 §2.23: the SPIs as in the header).
    expect(inits[0]?.m.spiR).toBe('0000000000000000');
    expect(inits[1]?.m.spiR).not.toBe('0000000000000000');
    // No NAT in the lab: nobody notes one.
    expect((seed.trace ?? []).filter((e) => e.type === 'note' && e.text === 'ike.natDetected')).toEqual([]);
  });

  it('seed: the first IKE_AUTH carries INITIAL_CONTACT (RFC 7296 §2.4), childless (no SAi2, TSi, TSr)', () => {
    const auth = ike.find((i) => i.m.exchangeType === 35 && !i.m.response);
    const sk = auth?.m.payloads.find((p) => p.kind === 'SK');
    expect(sk?.kind === 'SK' ? sk.payloads.map((p) => (p.kind === 'N' ? `N(${p.notify})` : p.kind)) : []).toEqual([
      'IDi',
      'N(INITIAL_CONTACT)',
      'IDr',
      'AUTH',
      'DHCP',
    ]);
  });

  it('a method with a Child SA in IKE_AUTH sends no CHILDLESS_IKEV2_SUPPORTED; natDetection=false sends no NAT-D', () => {
    const modeCfg = sentIke(runScenario('basic', { method: 'mode-cfg' }).trace ?? []);
    expect(names(modeCfg[0]?.m ?? ({ payloads: [] } as unknown as IkeMessage))).toEqual([
      'SA',
      'KE',
      'Nonce',
      'N(NAT_DETECTION_SOURCE_IP)',
      'N(NAT_DETECTION_DESTINATION_IP)',
    ]);
    const off = sentIke(
      runScenario('basic', { method: 'dhcp-over-ike', options: { natDetection: false } }).trace ?? [],
    );
    expect(off.slice(0, 2).map((i) => names(i.m))).toEqual([
      ['SA', 'KE', 'Nonce', 'N(CHILDLESS_IKEV2_SUPPORTED)'],
      ['SA', 'KE', 'Nonce', 'N(CHILDLESS_IKEV2_SUPPORTED)'],
    ]);
  });

  it('Wireshark reads the run with no malformed packet and no warning, and sees the notifies', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nat-d-')), 'seed.pcap');
    writeFileSync(file, writePcap(ike.map((i, n) => ({ timestampUs: n * 1000, ipv4Bytes: i.bytes }))));
    expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert.severity >= "Warning"'])).toBe('');
    const types = tshark([
      '-r',
      file,
      '-Y',
      'isakmp.exchangetype == 34',
      '-T',
      'fields',
      '-e',
      'isakmp.notify.msgtype',
    ]);
    expect(types.trim().split('\n')).toEqual(['16388,16389,16418', '16388,16389,16418']);
  });
});

describe('natDetectionPayloads', () => {
  it('builds the two notifies as notifyPayload would, each hash over its own end (digests in views of a shared slab)', () => {
    const ends = { local: { address: '192.0.2.10', port: 500 }, remote: { address: '203.0.113.1', port: 4500 } };
    const spiI = '0123456789abcdef';
    const spiR = '0000000000000000';
    const [source, destination] = natDetectionPayloads(spiI, spiR, ends);
    expect(source).toEqual(
      notifyPayload({ notify: 'NAT_DETECTION_SOURCE_IP', hash: natDetectionHash(spiI, spiR, ends.local) }),
    );
    expect(destination).toEqual(
      notifyPayload({ notify: 'NAT_DETECTION_DESTINATION_IP', hash: natDetectionHash(spiI, spiR, ends.remote) }),
    );
    expect(Object.keys(source ?? {})).toEqual(['kind', 'critical', 'protocolId', 'spi', 'notify', 'hash']);
    // The second digest did not overwrite the first (each has its own range).
    expect(toHex((source as { hash: Uint8Array }).hash)).toBe(toHex(natDetectionHash(spiI, spiR, ends.local)));
  });
});
