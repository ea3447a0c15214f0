/**
 * strongswan-cp-pool.pcap (two strongSwan 5.9.8 charons, PSK, aes128-sha256-modp2048, CP from a pool): every IKE
 * datagram parses; IKE_SA_INIT re-emits byte-identical; encrypted messages re-emit byte-identical through SK-opaque;
 * and a test-only real AES-CBC/HMAC model behind the same CryptoModel interface opens the IKE_AUTH payloads with the
 * keys of strongswan-cp-pool.ikev2_decryption_table.
 */
import { createDecipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../models/wire/bytes.ts';
import { CIPHER_SUITES, type CryptoModel } from '../../../../models/wire/crypto-suite.ts';
import {
  emitIkeMessage,
  findPayload,
  findPayloads,
  modelledIkeCrypto,
  notifyTypeOf,
  parseIkeMessage,
  summarizeIkeMessage,
  transformKeyLengthBits,
  type IkeCodecOptions,
  type IkeMessage,
} from '../../../../models/wire/ike/index.ts';
import { WireEmitError, decodeError, parsed } from '../../../../models/wire/result.ts';
import { udpDatagrams } from './capture-reader.ts';
import { CAPTURES_DIR } from '../../../support/captures.ts';

const datagrams = udpDatagrams(readFileSync(`${CAPTURES_DIR}strongswan-cp-pool.pcap`));

/** UDP 500: the IKE message; UDP 4500: after the 4-byte non-ESP marker (RFC 3948 §2.2); a non-zero marker is ESP. */
const ikeDatagrams = datagrams.flatMap((d) => {
  if (d.dstPort === 500) return [{ ...d, ikeOffset: 0 }];
  if (d.dstPort === 4500 && d.payload.length >= 4 && d.payload.subarray(0, 4).every((b) => b === 0)) {
    return [{ ...d, ikeOffset: 4 }];
  }
  return [];
});

function parseFrame(frame: number, options?: IkeCodecOptions): { message: IkeMessage; bytes: Uint8Array } {
  const d = ikeDatagrams.find((x) => x.frame === frame);
  if (d === undefined) throw new Error(`frame ${frame} is not IKE`);
  const r = parseIkeMessage(d.payload, d.ikeOffset, options);
  if (!r.ok) throw new Error(`frame ${frame}: ${JSON.stringify(r.error)}`);
  expect(r.bytesRead).toBe(d.payload.length - d.ikeOffset);
  return { message: r.value, bytes: d.payload.subarray(d.ikeOffset) };
}

/** Wireshark's ikev2_decryption_table line: SPIi, SPIr, SK_ei, SK_er, cipher, SK_ai, SK_ar, integrity. */
const keyFields = readFileSync(`${CAPTURES_DIR}strongswan-cp-pool.ikev2_decryption_table`, 'utf8').trim().split(',');
const key = (i: number): Uint8Array => fromHex(keyFields[i] ?? '');

/**
 * Real AES-128-CBC + HMAC-SHA2-256-128 (RFC 3602, RFC 4868) behind the lab's CryptoModel interface: the associated
 * data is the IKE header through the SK generic header, whose I flag (byte 19, 0x08) selects SK_e/a i or r.
 */
const realCbcModel: CryptoModel = {
  seal() {
    throw new WireEmitError('test', 'open only');
  },
  open(sealed, _rule, ctx) {
    const fromInitiator = ((ctx.associatedData[19] ?? 0) & 0x08) !== 0;
    const mac = createHmac('sha256', fromInitiator ? key(5) : key(6))
      .update(ctx.associatedData)
      .update(sealed.iv)
      .update(sealed.body)
      .digest()
      .subarray(0, 16);
    if (toHex(mac) !== toHex(sealed.icv)) return decodeError('sk.icv', 0, 'integrity check failed');
    const decipher = createDecipheriv('aes-128-cbc', fromInitiator ? key(2) : key(3), sealed.iv).setAutoPadding(false);
    const body = new Uint8Array(Buffer.concat([decipher.update(sealed.body), decipher.final()]));
    const padLength = body[body.length - 1] ?? 0;
    const end = body.length - 1 - padLength;
    return parsed(
      { plaintext: body.slice(0, end), padding: body.slice(end, body.length - 1), nextHeader: null },
      body.length,
    );
  },
};
const realCrypto: IkeCodecOptions = { crypto: { suite: CIPHER_SUITES['aes128-sha256'], model: realCbcModel } };

describe('strongswan-cp-pool.pcap', () => {
  it('holds 8 IKE datagrams (UDP 500 and 4500 with the non-ESP marker); all parse and re-emit byte-identical', () => {
    expect(ikeDatagrams.map((d) => [d.frame, d.dstPort])).toEqual([
      [1, 500],
      [2, 500],
      [3, 4500],
      [4, 4500],
      [7, 4500],
      [8, 4500],
      [9, 4500],
      [10, 4500],
    ]);
    for (const d of ikeDatagrams) {
      const { message, bytes } = parseFrame(d.frame);
      // Without a crypto context SK stays opaque, so header + outer chain + SK bytes re-emit identically.
      expect(toHex(emitIkeMessage(message)), `frame ${d.frame}`).toBe(toHex(bytes));
    }
  });

  it('summarises each message', () => {
    expect(ikeDatagrams.map((d) => summarizeIkeMessage(parseFrame(d.frame).message))).toEqual([
      'IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(IKEV2_FRAGMENTATION_SUPPORTED), N(SIGNATURE_HASH_ALGORITHMS), N(REDIRECT_SUPPORTED)',
      'IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(IKEV2_FRAGMENTATION_SUPPORTED), N(SIGNATURE_HASH_ALGORITHMS), N(CHILDLESS_IKEV2_SUPPORTED), N(MULTIPLE_AUTH_SUPPORTED)',
      'IKE_AUTH request #1 SK{…encrypted 272 bytes}',
      'IKE_AUTH response #1 SK{…encrypted 240 bytes}',
      'INFORMATIONAL request #0 SK{…encrypted 48 bytes}',
      'INFORMATIONAL response #0 SK{…encrypted 48 bytes}',
      'INFORMATIONAL request #2 SK{…encrypted 48 bytes}',
      'INFORMATIONAL response #2 SK{…encrypted 48 bytes}',
    ]);
  });

  it('decodes the IKE_SA_INIT request exactly', () => {
    const { message: m } = parseFrame(1);
    expect([m.spiI, m.spiR, m.exchangeType, m.initiator, m.response, m.higherVersion, m.messageId]).toEqual([
      '76075223bbe2805f',
      '0000000000000000',
      34,
      true,
      false,
      false,
      0,
    ]);
    const sa = findPayload(m, 'SA');
    const proposal = sa?.proposals[0];
    expect(sa?.proposals).toHaveLength(1);
    expect([proposal?.number, proposal?.protocolId, proposal?.spi]).toEqual([1, 1, '']);
    // aes128-sha256-modp2048: ENCR_AES_CBC (12) 128-bit, AUTH_HMAC_SHA2_256_128 (12), PRF_HMAC_SHA2_256 (5), MODP 2048 (14).
    expect(proposal?.transforms.map((t) => [t.type, t.id])).toEqual([
      [1, 12],
      [3, 12],
      [2, 5],
      [4, 14],
    ]);
    expect(proposal?.transforms[0] && transformKeyLengthBits(proposal.transforms[0])).toBe(128);
    const ke = findPayload(m, 'KE');
    expect([ke?.dhGroup, ke?.data.length, toHex(ke?.data.subarray(0, 8) ?? new Uint8Array())]).toEqual([
      14,
      256,
      'ec0315883e7457c1',
    ]);
    expect(toHex(findPayload(m, 'Nonce')?.data ?? new Uint8Array())).toBe(
      'deba08d2de0c316e79b214273a2b24e0c36b11d5ca1d43bba03161812a0f39b1',
    );
    expect(findPayloads(m, 'N').map(notifyTypeOf)).toEqual([16388, 16389, 16430, 16431, 16406]);
    const natS = findPayloads(m, 'N')[0];
    expect(natS?.notify === 'NAT_DETECTION_SOURCE_IP' ? toHex(natS.hash) : '').toBe(
      'aeec76f43871b0f55e4d1be5a39b02f7dfc78405',
    );
    const sigHash = findPayloads(m, 'N')[3];
    expect(sigHash?.notify === 'SIGNATURE_HASH_ALGORITHMS' ? sigHash.algorithms : []).toEqual([2, 3, 4, 5]);
  });

  it('decodes the IKE_SA_INIT response exactly', () => {
    const { message: m } = parseFrame(2);
    expect([m.spiI, m.spiR, m.initiator, m.response]).toEqual(['76075223bbe2805f', '8ee674014d4fc1a4', false, true]);
    const ke = findPayload(m, 'KE');
    expect([ke?.dhGroup, ke?.data.length, toHex(ke?.data.subarray(0, 8) ?? new Uint8Array())]).toEqual([
      14,
      256,
      'b718905df7af7a3f',
    ]);
    expect(findPayload(m, 'Nonce')?.data.length).toBe(32);
    expect(findPayloads(m, 'N').map((n) => n.notify)).toEqual([
      'NAT_DETECTION_SOURCE_IP',
      'NAT_DETECTION_DESTINATION_IP',
      'other',
      'SIGNATURE_HASH_ALGORITHMS',
      'CHILDLESS_IKEV2_SUPPORTED',
      'other',
    ]);
    expect(findPayloads(m, 'N').map(notifyTypeOf)).toEqual([16388, 16389, 16430, 16431, 16418, 16404]);
  });

  it('keeps encrypted payloads opaque without keys: header, first inner type and encrypted length', () => {
    const sks = ikeDatagrams.slice(2).map((d) => {
      const m = parseFrame(d.frame).message;
      const sk = m.payloads[0];
      expect(m.payloads).toHaveLength(1);
      return sk?.kind === 'SK-opaque'
        ? [m.exchangeType, m.messageId, m.initiator, sk.firstPayloadType, sk.encrypted.length]
        : [];
    });
    // IDi 35, IDr 36, N 41, none 0 (an empty INFORMATIONAL, RFC 7296 §1.4), D 42.
    expect(sks).toEqual([
      [35, 1, true, 35, 272],
      [35, 1, false, 36, 240],
      [37, 0, false, 41, 48],
      [37, 0, true, 0, 48],
      [37, 2, true, 42, 48],
      [37, 2, false, 0, 48],
    ]);
  });

  it('opens IKE_AUTH with real AES-CBC/HMAC behind the CryptoModel interface: CP(CFG_REQUEST) and CP(CFG_REPLY)', () => {
    const request = parseFrame(3, realCrypto).message;
    expect(summarizeIkeMessage(request)).toBe(
      'IKE_AUTH request #1 SK{IDi, N(INITIAL_CONTACT), IDr, AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr, N(MOBIKE_SUPPORTED), N(NO_ADDITIONAL_ADDRESSES), N(MULTIPLE_AUTH_SUPPORTED), N(EAP_ONLY_AUTHENTICATION), N(IKEV2_MESSAGE_ID_SYNC_SUPPORTED)}',
    );
    expect(findPayload(request, 'IDi')?.id).toEqual({ kind: 'rfc822', name: 'alice@example.com' });
    expect(findPayload(request, 'IDr')?.id).toEqual({ kind: 'fqdn', name: 'gw.example.com' });
    expect([findPayload(request, 'AUTH')?.method, findPayload(request, 'AUTH')?.data.length]).toEqual([2, 32]);
    expect(findPayload(request, 'CP')).toEqual({
      kind: 'CP',
      critical: false,
      cfgType: 1,
      attributes: [{ kind: 'ip4Address', address: null }],
    });
    const esp = findPayload(request, 'SA')?.proposals[0];
    expect([esp?.protocolId, esp?.spi, esp?.transforms.map((t) => [t.type, t.id])]).toEqual([
      3,
      'f7331436',
      [
        [1, 12],
        [3, 12],
        [5, 0],
      ],
    ]);
    expect(findPayload(request, 'TSr')?.selectors).toEqual([
      {
        kind: 'ipv4Range',
        ipProtocol: 0,
        startPort: 0,
        endPort: 65535,
        startAddress: '10.10.0.0',
        endAddress: '10.10.255.255',
      },
    ]);

    const reply = parseFrame(4, realCrypto).message;
    expect(findPayload(reply, 'CP')).toEqual({
      kind: 'CP',
      critical: false,
      cfgType: 2,
      attributes: [
        { kind: 'ip4Address', address: '10.30.0.1' },
        { kind: 'ip4Dns', address: '10.10.0.53' },
      ],
    });
    expect(findPayload(reply, 'TSi')?.selectors).toEqual([
      {
        kind: 'ipv4Range',
        ipProtocol: 0,
        startPort: 0,
        endPort: 65535,
        startAddress: '10.30.0.1',
        endAddress: '10.30.0.1',
      },
    ]);
    expect(findPayload(reply, 'SA')?.proposals[0]?.spi).toBe('d1f40851');
    // strongSwan's padding (9 bytes, not the lab's minimal zeros) is kept on the value.
    const sk = reply.payloads[0];
    expect(sk?.kind === 'SK' ? sk.padding?.length : -1).toBe(9);
    expect(summarizeIkeMessage(parseFrame(9, realCrypto).message)).toBe('INFORMATIONAL request #2 SK{D}');
    expect(findPayload(parseFrame(9, realCrypto).message, 'D')).toEqual({
      kind: 'D',
      critical: false,
      protocolId: 1,
      spiSize: 0,
      spis: [],
    });
  });

  it('keeps SK opaque when the crypto context cannot open it (the lab model on real ciphertext)', () => {
    const { message, bytes } = parseFrame(3, { crypto: modelledIkeCrypto('aes128-sha256') });
    expect(message.payloads[0]?.kind).toBe('SK-opaque');
    expect(toHex(emitIkeMessage(message))).toBe(toHex(bytes));
  });
});
