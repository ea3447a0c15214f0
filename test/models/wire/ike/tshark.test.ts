/**
 * The IKE samples under Wireshark. With the lab's modelled crypto tshark sees SK as ciphertext, so the inner payloads
 * are checked a second way: emitted with an ENCR_NULL-shaped context (no IV, no ICV, block size 1 — RFC 2410, and
 * RFC 7296 §3.14's layout otherwise) and opened by tshark through `ikev2_decryption_table` with
 * "NULL [RFC2410]" / "NONE [RFC4306]". Fails (does not skip) when tshark is missing, like test/models/wire/tshark.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../../../models/wire/bytes.ts';
import { CIPHER_SUITES, modelledCrypto } from '../../../../models/wire/crypto-suite.ts';
import { emitIkeMessage, ikeSampleMessages, type IkeCodecOptions } from '../../../../models/wire/ike/index.ts';
import { writePcap } from '../../../../models/wire/pcap/index.ts';

const TSHARK = '/usr/bin/tshark';
const NULL_UAT = '76075223bbe2805f,8ee674014d4fc1a4,,,"NULL [RFC2410]",,,"NONE [RFC4306]"';

function tshark(args: readonly string[]): string {
  if (!existsSync(TSHARK)) {
    throw new Error(
      `tshark is required for this test but ${TSHARK} does not exist: install the tshark package (apt-get install tshark)`,
    );
  }
  return execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** IPv4 (RFC 791) + UDP (RFC 768, checksum 0) from 192.0.2.10 to 192.0.2.1, same source and destination port. */
function ipv4Udp(payload: Uint8Array, port: number): Uint8Array {
  const b = new Uint8Array(28 + payload.length);
  b.set([0x45, 0, b.length >> 8, b.length & 0xff, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 10, 192, 0, 2, 1], 0);
  const sum = internetChecksum(b, 0, 20);
  b[10] = sum >> 8;
  b[11] = sum & 0xff;
  b.set(
    [port >> 8, port & 0xff, port >> 8, port & 0xff, (8 + payload.length) >> 8, (8 + payload.length) & 0xff, 0, 0],
    20,
  );
  b.set(payload, 28);
  return b;
}

/** One record per sample: UDP 500, or 4500 with the non-ESP marker (RFC 3948 §2.2) when the message carries SK. */
function writeSamples(file: string, nullLayout: boolean): number {
  const samples = ikeSampleMessages().filter((m) => !nullLayout || !m.payloads.some((p) => p.kind === 'SK-opaque'));
  const records = samples.map((m, i) => {
    const sk = m.payloads.find((p) => p.kind === 'SK' || p.kind === 'SK-opaque');
    let options: IkeCodecOptions = {};
    if (sk?.kind === 'SK' && nullLayout) {
      options = {
        crypto: {
          suite: { ...CIPHER_SUITES[sk.suite], ivBytes: 0, icvBytes: 0, blockBytes: 1 },
          model: modelledCrypto,
        },
      };
    }
    const ike = emitIkeMessage(m, options);
    const udp = sk === undefined ? ike : Uint8Array.from([0, 0, 0, 0, ...ike]);
    return { timestampUs: i * 1000, ipv4Bytes: ipv4Udp(udp, sk === undefined ? 500 : 4500) };
  });
  writeFileSync(file, writePcap(records));
  return records.length;
}

describe('IKE samples under tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ike-sample-'));

  it('dissect with no malformed packet and no warning (SK stays ciphertext to tshark)', () => {
    const file = join(dir, 'model.pcap');
    expect(writeSamples(file, false)).toBe(20);
    expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert.severity >= "Warning"'])).toBe('');
    expect(tshark(['-r', file, '-T', 'fields', '-e', 'isakmp.exchangetype']).trim().split('\n')).toEqual([
      '34',
      '34',
      '34',
      '34',
      '35',
      '35',
      '35',
      '35',
      '35',
      '36',
      '36',
      '36',
      '37',
      '37',
      '37',
      '37',
      '37',
      '37',
      '37',
      '43',
    ]);
  });

  it('with an ENCR_NULL layout, tshark opens every SK and reads the inner payloads we wrote', () => {
    const file = join(dir, 'null.pcap');
    expect(writeSamples(file, true)).toBe(19);
    const uat = ['-o', `uat:ikev2_decryption_table:${NULL_UAT}`];
    expect(tshark(['-r', file, ...uat, '-Y', '_ws.malformed || _ws.expert.severity >= "Warning"'])).toBe('');
    const rows = tshark([
      '-r',
      file,
      ...uat,
      '-T',
      'fields',
      '-E',
      'separator=|',
      '-e',
      'isakmp.notify.msgtype',
      '-e',
      'isakmp.cfg.attr.type',
      '-e',
      'isakmp.id.type',
      '-e',
      'isakmp.ts.type',
    ])
      .trim()
      .split('\n');
    expect(rows).toEqual([
      '16388,16389,16431|||',
      '16388,16389,16418|||',
      '17|||',
      '14|||',
      '16384,16391,16394,16395,16396|1,3|3,2|7,7',
      '|1,2,3|2|7,7',
      '||1|7,7',
      '||11|',
      '36,37,38,24|||',
      '16393|||7,7',
      '|||7,7,8',
      '43,44|||',
      '|||',
      '|||',
      '|||',
      '|||',
      '7,9,16430,40000|||',
      '|1,2,3,4,6,7,13,14,8||',
      '|1,13,7||',
    ]);
  });
});
