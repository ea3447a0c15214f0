import { ipv4HeaderFor } from '../../../../models/wire/packet.ts';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../models/wire/bytes.ts';
import { CIPHER_SUITES, type CipherSuiteName, type CryptoModel } from '../../../../models/wire/crypto-suite.ts';
import { deriveChildKeymat, deriveIkeSaSecrets, type DirectionKeys } from '../../../../models/wire/crypto/ike-keys.ts';
import { deriveIv, realCrypto } from '../../../../models/wire/crypto/real-crypto.ts';
import {
  espSaLine,
  ikev2DecryptionTableLine,
  parseWiresharkKeys,
} from '../../../../models/wire/crypto/wireshark-keys.ts';
import { emitEsp } from '../../../../models/wire/esp.ts';
import { cpRequestAddressAndDns, emitIkeMessage, notifyPayload, skPayload } from '../../../../models/wire/ike/index.ts';
import { emitIpv4, type Ipv4Packet } from '../../../../models/wire/ipv4.ts';
import { writePcap } from '../../../../models/wire/pcap/index.ts';
import { emitUdp } from '../../../../models/wire/udp.ts';
import { capturePath } from '../../../support/captures.ts';

const SUITES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];
const bytes = (n: number, start: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (start + 5 * i) & 0xff);

/** Keys of a made-up IKE SA and its Child SA for `suite` (index `i` keeps SPIs apart). */
function saFor(name: CipherSuiteName, i: number) {
  const suite = CIPHER_SUITES[name];
  const spiI = bytes(8, 0x10 + i);
  const spiR = bytes(8, 0x90 + i);
  const ike = deriveIkeSaSecrets(suite, bytes(32, i), bytes(32, 1), bytes(32, 2), spiI, spiR);
  const child = deriveChildKeymat(suite, ike.skD, bytes(32, 1), bytes(32, 2));
  return { suite, spiI, spiR, ike, child, espSpi: 0xc0de0000 + i };
}

describe('format → parse', () => {
  SUITES.forEach((name, i) => {
    it(`${name}: IKE and ESP lines read back to the same keys`, () => {
      const sa = saFor(name, i);
      const ikeLine = ikev2DecryptionTableLine(sa.spiI, sa.spiR, sa.suite, sa.ike);
      const espLine = espSaLine('192.0.2.1', '192.0.2.2', sa.espSpi, sa.suite, sa.child.initiatorToResponder);
      const parsed = parseWiresharkKeys(`# keys\n${ikeLine}\n\n${espLine}\n`);
      expect(parsed.errors).toEqual([]);
      expect(parsed.ike).toEqual([
        {
          spiI: toHex(sa.spiI),
          spiR: toHex(sa.spiR),
          suite: sa.suite,
          initiator: sa.ike.initiator,
          responder: sa.ike.responder,
        },
      ]);
      expect(parsed.esp).toEqual([
        { src: '192.0.2.1', dst: '192.0.2.2', spi: sa.espSpi, suite: sa.suite, keys: sa.child.initiatorToResponder },
      ]);
    });
  });

  it('writes the exact Wireshark strings; GCM keys carry the salt at their end', () => {
    const gcm = saFor('aes256gcm16', 9);
    const line = ikev2DecryptionTableLine(gcm.spiI, gcm.spiR, gcm.suite, gcm.ike);
    expect(line).toBe(
      [
        toHex(gcm.spiI),
        toHex(gcm.spiR),
        toHex(gcm.ike.initiator.encrKey) + toHex(gcm.ike.initiator.salt),
        toHex(gcm.ike.responder.encrKey) + toHex(gcm.ike.responder.salt),
        '"AES-GCM-256 with 16 octet ICV [RFC5282]"',
        '',
        '',
        '"NONE [RFC4306]"',
      ].join(','),
    );
    const k = gcm.child.responderToInitiator;
    expect(espSaLine('10.0.0.1', '10.0.0.2', 0x0102, gcm.suite, k)).toBe(
      `"IPv4","10.0.0.1","10.0.0.2","0x00000102","AES-GCM with 16 octet ICV [RFC4106]","0x${toHex(k.encrKey)}${toHex(k.salt)}","NULL",""`,
    );
    const cbc = saFor('aes128-sha256', 3);
    expect(ikev2DecryptionTableLine(cbc.spiI, cbc.spiR, cbc.suite, cbc.ike).split(',')[4]).toBe(
      '"AES-CBC-128 [RFC3602]"',
    );
    expect(ikev2DecryptionTableLine(cbc.spiI, cbc.spiR, cbc.suite, cbc.ike).split(',')[7]).toBe(
      '"HMAC_SHA2_256_128 [RFC4868]"',
    );
    expect(espSaLine('a::1', 'a::2', 1, cbc.suite, cbc.child.initiatorToResponder)).toMatch(
      /^"IPv6","a::1","a::2","0x00000001","AES-CBC \[RFC3602\]","0x[0-9a-f]{32}","HMAC-SHA-256-128 \[RFC4868\]","0x[0-9a-f]{64}"$/,
    );
  });

  it('reads the strongSwan files and writes their lines back byte for byte', () => {
    const ikeText = readFileSync(capturePath('strongswan-cp-pool.ikev2_decryption_table'), 'utf8');
    const espText = readFileSync(capturePath('strongswan-cp-pool.esp_sa'), 'utf8');
    const { ike, esp, errors } = parseWiresharkKeys(ikeText + espText);
    expect(errors).toEqual([]);
    const [sa] = ike;
    if (sa === undefined) throw new Error('no IKE entry');
    expect(toHex(sa.initiator.encrKey)).toBe('37348562bd95d200814704c01e3e1a14');
    expect(toHex(sa.responder.integKey)).toBe('72ed5055f6511e4eff9d1ef1c544751a92f9e35f60f0debe007e1497ce113d62');
    const rewritten = ikev2DecryptionTableLine(fromHex(sa.spiI), fromHex(sa.spiR), sa.suite, sa);
    expect(rewritten).toBe(ikeText.trim());
    expect(esp.map((e) => espSaLine(e.src, e.dst, e.spi, e.suite, e.keys)).join('\n')).toBe(espText.trim());
  });

  it('puts each bad line in errors with its number and reads the good ones', () => {
    const good = readFileSync(capturePath('strongswan-cp-pool.esp_sa'), 'utf8').trim().split('\n')[0] ?? '';
    const text = [
      '# a comment',
      good,
      '"IPv4","1.2.3.4","5.6.7.8","0x1","AES-CBC [RFC3602]","0x00","HMAC-SHA-256-128 [RFC4868]","0x00"',
      '76075223bbe2805f,8ee674014d4fc1a4,00,00,"3DES [RFC2451]",00,00,"NONE [RFC4306]"',
      '76075223bbe2805f,8ee6,00,00,"AES-CBC-128 [RFC3602]",00,00,"HMAC_SHA2_256_128 [RFC4868]"',
      '"IPv4","1.2.3.4"',
      '"IPv4,"1.2.3.4"',
      '"IPv4","1.2.3.4","5.6.7.8","0xzz","AES-CBC [RFC3602]","0x00","NULL","0x00"',
      '76075223bbe2805f,8ee674014d4fc1a4,0011,00,"AES-GCM-128 with 16 octet ICV [RFC5282]",,,"NONE [RFC4306]"',
      '76075223bbe2805f,8ee674014d4fc1a4,00,00,"AES-CBC-128 [RFC3602]",00,00,"NONE [RFC4306]"',
    ].join('\n');
    const r = parseWiresharkKeys(text);
    expect(r.esp).toHaveLength(1);
    expect(r.ike).toHaveLength(0);
    expect(r.errors).toEqual([
      'line 3: encryption key of 1 bytes fits no suite of the lab',
      "line 4: encryption '3DES [RFC2451]' is not one of the lab's suites",
      'line 5: SPIs must be 8 bytes (16 hex digits)',
      'line 6: 2 fields, a key line has 8',
      'line 7: unbalanced quotes or text after a quoted field',
      "line 8: SPI '0xzz' is not 0x and 1-8 hex digits",
      'line 9: SK_ei/SK_ai: encryption key is 2 bytes, aes128gcm16 needs 20',
      "line 10: integrity 'NONE [RFC4306]' does not go with aes128-sha256",
    ]);
  });
});

describe('parseWiresharkKeys never throws', () => {
  const piece = fc.constantFrom(
    '"IPv4"',
    '"AES-CBC [RFC3602]"',
    '"AES-GCM-128 with 16 octet ICV [RFC5282]"',
    '"NULL"',
    '0x',
    '00',
    '"',
    ',',
    '\n',
    '#',
    'zz',
    '76075223bbe2805f',
  );
  test.prop([fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 30 })])(
    'on any text: every non-blank, non-comment line is an entry or an error',
    (parts) => {
      const text = parts.join('');
      const r = parseWiresharkKeys(text);
      const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      expect(r.ike.length + r.esp.length + r.errors.length).toBe(lines.length);
    },
  );
});

const TSHARK = '/usr/bin/tshark';
function tshark(args: readonly string[]): string {
  if (!existsSync(TSHARK)) throw new Error(`tshark is required for this test but ${TSHARK} does not exist`);
  return execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function ipv4(src: string, dst: string, protocol: number, payload: Uint8Array): Uint8Array {
  const p: Ipv4Packet = { ...ipv4HeaderFor(src, dst, protocol, { identification: 1 }), payload };
  return emitIpv4(p);
}

/** realCrypto sealing with the given keys and an IV derived from the associated data (as the lead's nodes will). */
const sealingWith = (keys: DirectionKeys): CryptoModel => ({
  seal: (input, rule, ctx) =>
    realCrypto.seal(input, rule, { ...ctx, keys, iv: deriveIv(bytes(32, 77), ctx.suite.ivBytes, ctx.associatedData) }),
  open: (sealed, rule, ctx) => realCrypto.open(sealed, rule, { ...ctx, keys }),
});

describe('tshark decrypts what realCrypto seals with the lines we write (all 4 suites)', () => {
  it('IKE SK payloads and ESP packets', () => {
    const records: Uint8Array[] = [];
    const options: string[] = [];
    SUITES.forEach((name, i) => {
      const sa = saFor(name, i);
      const message = {
        spiI: toHex(sa.spiI),
        spiR: toHex(sa.spiR),
        exchangeType: 35,
        initiator: true,
        higherVersion: false,
        response: false,
        messageId: 1,
        payloads: [
          skPayload(name, [
            { kind: 'IDi' as const, critical: false, id: { kind: 'rfc822' as const, name: 'alice@example.com' } },
            notifyPayload({ notify: 'INITIAL_CONTACT' }),
            cpRequestAddressAndDns(),
          ]),
        ],
      };
      const ike = emitIkeMessage(message, { crypto: { suite: sa.suite, model: sealingWith(sa.ike.initiator) } });
      const udp = emitUdp(
        { srcPort: 500, dstPort: 500, checksum: 0, payload: ike },
        { src: '192.0.2.1', dst: '192.0.2.2' },
      );
      records.push(ipv4('192.0.2.1', '192.0.2.2', 17, udp));
      options.push('-o', `uat:ikev2_decryption_table:${ikev2DecryptionTableLine(sa.spiI, sa.spiR, sa.suite, sa.ike)}`);
      // ESP tunnel mode (next header 4): an inner IPv4/UDP packet to 10.30.0.<i>.
      const innerUdp = emitUdp(
        { srcPort: 1000, dstPort: 2000, checksum: 0, payload: bytes(20 + i, 3) },
        {
          src: '10.10.0.1',
          dst: `10.30.0.${i + 1}`,
        },
      );
      const inner = ipv4('10.10.0.1', `10.30.0.${i + 1}`, 17, innerUdp);
      const header = Uint8Array.of(0xc0, 0xde, 0, i, 0, 0, 0, 1);
      const k = sa.child.initiatorToResponder;
      const sealed = sealingWith(k).seal({ plaintext: inner, nextHeader: 4 }, 'esp', {
        suite: sa.suite,
        associatedData: header,
      });
      const esp = emitEsp({
        spi: sa.espSpi,
        sequence: 1,
        data: new Uint8Array([...sealed.iv, ...sealed.body, ...sealed.icv]),
      });
      records.push(ipv4('192.0.2.1', '192.0.2.2', 50, esp));
      options.push('-o', `uat:esp_sa:${espSaLine('192.0.2.1', '192.0.2.2', sa.espSpi, sa.suite, k)}`);
    });
    const dir = mkdtempSync(join(tmpdir(), 'crypto-keys-'));
    const file = join(dir, 'real-crypto.pcap');
    writeFileSync(file, writePcap(records.map((ipv4Bytes, i) => ({ timestampUs: i * 1000, ipv4Bytes }))));
    const out = tshark([
      '-r',
      file,
      ...options,
      '-o',
      'esp.enable_encryption_decode:TRUE',
      '-T',
      'fields',
      '-e',
      'isakmp.typepayload',
      '-e',
      'isakmp.id.type',
      '-e',
      'ip.dst',
    ])
      .trim()
      .split('\n');
    // IKE: SK (46) then the decrypted IDi (35), N (41), CP (47); ESP: the inner IPv4 destination after the outer.
    expect(out).toEqual(SUITES.flatMap((_, i) => [`46,35,41,47\t3\t192.0.2.2`, `\t\t192.0.2.2,10.30.0.${i + 1}`]));
    const problems = tshark([
      '-r',
      file,
      ...options,
      '-o',
      'esp.enable_encryption_decode:TRUE',
      '-Y',
      '_ws.malformed || _ws.expert.severity >= "Warning"',
    ]);
    expect(problems).toBe('');
  });
});
