/**
 * Known answer from real software: strongswan-cp-pool.pcap (two strongSwan 5.9.8 charons, IKE aes128-sha256-modp2048,
 * ESP aes128-sha256, NAT-T on UDP 4500) with the keys charon logged, in Wireshark's table formats. realCrypto opens
 * every encrypted IKE message and every ESP packet, and sealing the opened plaintext again with the packet's IV and
 * padding gives back the captured bytes exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readU16, toHex } from '../../../../models/wire/bytes.ts';
import type { CryptoModel, Opened } from '../../../../models/wire/crypto-suite.ts';
import type { DirectionKeys } from '../../../../models/wire/crypto/ike-keys.ts';
import { realCrypto } from '../../../../models/wire/crypto/real-crypto.ts';
import { parseWiresharkKeys } from '../../../../models/wire/crypto/wireshark-keys.ts';
import { parseEsp } from '../../../../models/wire/esp.ts';
import {
  findPayload,
  IkePayloadType,
  parseIkeMessage,
  summarizeIkeMessage,
} from '../../../../models/wire/ike/index.ts';
import { parseIpv4 } from '../../../../models/wire/ipv4.ts';
import { readCapture } from '../../../../models/wire/pcap/index.ts';
import { parseUdp } from '../../../../models/wire/udp.ts';
import { capturePath } from '../../../support/captures.ts';

const keyText = (name: string): string => readFileSync(capturePath(name), 'utf8');
const ikeKeys = parseWiresharkKeys(keyText('strongswan-cp-pool.ikev2_decryption_table'));
const espKeys = parseWiresharkKeys(keyText('strongswan-cp-pool.esp_sa'));
const ikeSa = ikeKeys.ike[0];
if (ikeSa === undefined) throw new Error('no IKE key line');

interface Datagram {
  readonly frame: number;
  readonly src: string;
  readonly dst: string;
  readonly kind: 'ike' | 'esp';
  /** The IKE message (after the non-ESP marker on 4500) or the ESP packet. */
  readonly bytes: Uint8Array;
}

/** Every UDP datagram of the capture through the lab's pcap, IPv4 and UDP parsers; 4500 split by RFC 3948 §2.2. */
function datagrams(): Datagram[] {
  const capture = readCapture(readFileSync(capturePath('strongswan-cp-pool.pcap')));
  if (!capture.ok) throw new Error(JSON.stringify(capture.error));
  return capture.value.packets.map((p) => {
    const ip = parseIpv4(p.ipv4Bytes, 0);
    if (!ip.ok) throw new Error(JSON.stringify(ip.error));
    expect(ip.value.protocol).toBe(17);
    const udp = parseUdp(ip.value.payload, 0, ip.value);
    if (!udp.ok) throw new Error(JSON.stringify(udp.error));
    const { payload, dstPort } = udp.value;
    const frame = p.index + 1;
    const base = { frame, src: ip.value.src, dst: ip.value.dst };
    if (dstPort === 500) return { ...base, kind: 'ike', bytes: payload };
    expect(dstPort).toBe(4500);
    const marker = payload.subarray(0, 4).every((b) => b === 0);
    return marker ? { ...base, kind: 'ike', bytes: payload.subarray(4) } : { ...base, kind: 'esp', bytes: payload };
  });
}

const all = datagrams();
const encryptedIke = all.filter((d) => d.kind === 'ike' && d.bytes[18] !== 34); // all but IKE_SA_INIT
const espPackets = all.filter((d) => d.kind === 'esp');

/** RFC 7296 §3.1 flags: I (0x08) set by the original initiator picks SK_ei/SK_ai, clear SK_er/SK_ar. */
const keysForHeader = (header: Uint8Array): DirectionKeys =>
  ((header[19] ?? 0) & 0x08) !== 0 ? ikeSa.initiator : ikeSa.responder;

/** realCrypto given the keys the way a node would: by the I flag of the associated data's IKE header. */
const keyedByFlag: CryptoModel = {
  seal: (input, rule, ctx) => realCrypto.seal(input, rule, { ...ctx, keys: keysForHeader(ctx.associatedData) }),
  open: (sealed, rule, ctx) => realCrypto.open(sealed, rule, { ...ctx, keys: keysForHeader(ctx.associatedData) }),
};

/** Where the SK payload's generic header starts: walk the chain from the IKE header's Next Payload (RFC 7296 §3.2). */
function skOffset(message: Uint8Array): number {
  let type = message[16] ?? 0;
  let at = 28;
  while (type !== IkePayloadType.SK) {
    if (type === 0 || at + 4 > message.length) throw new Error('no SK payload');
    type = message[at] ?? 0;
    at += readU16(message, at + 2);
  }
  return at;
}

describe('strongswan-cp-pool key files', () => {
  it('parse into one IKE SA (aes128-sha256) and two ESP SAs', () => {
    expect([ikeKeys.errors, espKeys.errors]).toEqual([[], []]);
    expect([ikeSa.spiI, ikeSa.spiR, ikeSa.suite.name]).toEqual([
      '76075223bbe2805f',
      '8ee674014d4fc1a4',
      'aes128-sha256',
    ]);
    expect(espKeys.esp.map((e) => [e.src, e.dst, e.spi.toString(16), e.suite.name])).toEqual([
      ['192.168.50.2', '192.168.50.1', 'd1f40851', 'aes128-sha256'],
      ['192.168.50.1', '192.168.50.2', 'f7331436', 'aes128-sha256'],
    ]);
  });
});

describe('strongswan-cp-pool.pcap opened with realCrypto', () => {
  it('has 6 encrypted IKE messages and 2 ESP packets', () => {
    expect(encryptedIke.map((d) => d.frame)).toEqual([3, 4, 7, 8, 9, 10]);
    expect(espPackets.map((d) => d.frame)).toEqual([5, 6]);
  });

  it('opens every IKE_AUTH / INFORMATIONAL SK payload and parses the inner payloads', () => {
    const summaries = encryptedIke.map((d) => {
      const r = parseIkeMessage(d.bytes, 0, { crypto: { suite: ikeSa.suite, model: keyedByFlag } });
      if (!r.ok) throw new Error(`frame ${d.frame}: ${JSON.stringify(r.error)}`);
      expect(r.value.payloads[0]?.kind, `frame ${d.frame}`).toBe('SK');
      return summarizeIkeMessage(r.value);
    });
    expect(summaries).toEqual([
      'IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr, N(MOBIKE_SUPPORTED), N(NO_ADDITIONAL_ADDRESSES), N(MULTIPLE_AUTH_SUPPORTED), N(EAP_ONLY_AUTHENTICATION), N(IKEV2_MESSAGE_ID_SYNC_SUPPORTED)}',
      // As tshark shows them with the same keys (notify 16396 MOBIKE_SUPPORTED, 16397 ADDITIONAL_IP4_ADDRESS).
      'IKE_AUTH response #1 SK{IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr, N(MOBIKE_SUPPORTED), N(ADDITIONAL_IP4_ADDRESS)}',
      'INFORMATIONAL request #0 SK{N(ADDITIONAL_IP4_ADDRESS)}',
      'INFORMATIONAL response #0 SK{}',
      'INFORMATIONAL request #2 SK{D}',
      'INFORMATIONAL response #2 SK{}',
    ]);
  });

  it('IKE_AUTH carries IDi, AUTH (PSK, 32 bytes), CP, SA, TSi, TSr; the CP reply an address in 10.30.0.0/24', () => {
    const [request, reply] = encryptedIke.slice(0, 2).map((d) => {
      const r = parseIkeMessage(d.bytes, 0, { crypto: { suite: ikeSa.suite, model: keyedByFlag } });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value;
    });
    if (request === undefined || reply === undefined) throw new Error('missing IKE_AUTH');
    for (const kind of ['IDi', 'AUTH', 'CP', 'SA', 'TSi', 'TSr'] as const) {
      expect(findPayload(request, kind), kind).toBeDefined();
    }
    expect(findPayload(request, 'IDi')?.id).toEqual({ kind: 'rfc822', name: 'alice@example.com' });
    expect([findPayload(request, 'AUTH')?.method, findPayload(request, 'AUTH')?.data.length]).toEqual([2, 32]);
    expect(findPayload(request, 'CP')?.cfgType).toBe(1);
    const cp = findPayload(reply, 'CP');
    expect(cp?.cfgType).toBe(2);
    const address = cp?.attributes.find((a) => a.kind === 'ip4Address');
    const leased = address?.kind === 'ip4Address' ? address.address : null;
    expect(leased).toBe('10.30.0.1');
    expect(leased?.startsWith('10.30.0.')).toBe(true);
    for (const kind of ['IDr', 'AUTH', 'SA', 'TSi', 'TSr'] as const)
      expect(findPayload(reply, kind), kind).toBeDefined();
  });

  it('re-seals every SK payload to the captured bytes (same IV and padding: AES-CBC and the HMAC ICV match)', () => {
    for (const d of encryptedIke) {
      const sk = skOffset(d.bytes);
      const end = sk + readU16(d.bytes, sk + 2);
      const ivStart = sk + 4;
      const ctx = {
        suite: ikeSa.suite,
        associatedData: d.bytes.subarray(0, ivStart),
        keys: keysForHeader(d.bytes),
        iv: d.bytes.slice(ivStart, ivStart + 16),
      };
      const sealed = {
        iv: ctx.iv,
        body: d.bytes.subarray(ivStart + 16, end - 16),
        icv: d.bytes.subarray(end - 16, end),
      };
      const opened = realCrypto.open(sealed, 'ike', ctx);
      if (!opened.ok) throw new Error(`frame ${d.frame}: ${JSON.stringify(opened.error)}`);
      const again = realCrypto.seal({ plaintext: opened.value.plaintext, padding: opened.value.padding }, 'ike', ctx);
      expect(toHex(again.body) + toHex(again.icv), `frame ${d.frame}`).toBe(toHex(sealed.body) + toHex(sealed.icv));
      // The other direction's keys do not open it.
      const wrong = { ...ctx, keys: ctx.keys === ikeSa.initiator ? ikeSa.responder : ikeSa.initiator };
      expect(realCrypto.open(sealed, 'ike', wrong)).toMatchObject({
        ok: false,
        error: { reason: 'integrity check failed' },
      });
    }
  });

  it('opens both ESP packets: tunnel mode (next header 4), inner IPv4 between 10.30.0.1 and 10.10.0.1', () => {
    const inner = espPackets.map((d) => {
      const esp = parseEsp(d.bytes, 0);
      if (!esp.ok) throw new Error(JSON.stringify(esp.error));
      const sa = espKeys.esp.find((e) => e.spi === esp.value.spi);
      if (sa === undefined) throw new Error(`no SA for SPI ${esp.value.spi}`);
      expect([sa.src, sa.dst]).toEqual([d.src, d.dst]);
      const { data } = esp.value;
      const iv = data.slice(0, 16);
      const sealed = { iv, body: data.subarray(16, data.length - 16), icv: data.subarray(data.length - 16) };
      // RFC 4303 §2.8 / §3.3.4: the ICV covers SPI ‖ sequence ‖ IV ‖ ciphertext.
      const ctx = { suite: sa.suite, associatedData: d.bytes.subarray(0, 8), keys: sa.keys, iv };
      const opened = realCrypto.open(sealed, 'esp', ctx);
      if (!opened.ok) throw new Error(`frame ${d.frame}: ${JSON.stringify(opened.error)}`);
      const o: Opened = opened.value;
      const again = realCrypto.seal(
        { plaintext: o.plaintext, padding: o.padding, nextHeader: o.nextHeader ?? 0 },
        'esp',
        ctx,
      );
      expect(toHex(again.body) + toHex(again.icv)).toBe(toHex(sealed.body) + toHex(sealed.icv));
      const ip = parseIpv4(o.plaintext, 0);
      if (!ip.ok) throw new Error(JSON.stringify(ip.error));
      return [esp.value.sequence, o.nextHeader, ip.value.src, ip.value.dst, ip.value.protocol];
    });
    expect(inner).toEqual([
      [1, 4, '10.30.0.1', '10.10.0.1', 17],
      [1, 4, '10.10.0.1', '10.30.0.1', 17],
    ]);
  });
});
