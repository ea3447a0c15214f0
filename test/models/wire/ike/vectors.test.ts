/** Hand-built byte vectors checked against RFC 7296's figures, exact SK sizes per suite, errors and options. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../../models/wire/bytes.ts';
import type { CipherSuiteName } from '../../../../models/wire/crypto-suite.ts';
import {
  DHCP_PAYLOAD_TYPE_DRAFT,
  DHCP_PAYLOAD_TYPE_PRIVATE,
  IkeExchangeType,
  cpRequestAddressAndDns,
  dhcpPayload,
  emitIkeMessage,
  emitIkePayload,
  findNotify,
  findPayload,
  ikeMessageLength,
  modelledIkeCrypto,
  notifyPayload,
  parseIkeHeader,
  parseIkeMessage,
  sampleDhcpMessage,
  skPayload,
  summarizeIkeMessage,
  tsForAddress,
  tsPayload,
  type IkeMessage,
  type IkePayload,
} from '../../../../models/wire/ike/index.ts';
import { WireEmitError } from '../../../../models/wire/result.ts';

function message(payloads: readonly IkePayload[], exchangeType: number = IkeExchangeType.IKE_AUTH): IkeMessage {
  return {
    spiI: '0102030405060708',
    spiR: '1112131415161718',
    exchangeType,
    initiator: true,
    higherVersion: false,
    response: false,
    messageId: 1,
    payloads,
  };
}

describe('byte vectors (RFC 7296 figures)', () => {
  it('CP(CFG_REQUEST) with zero-length INTERNAL_IP4_ADDRESS and INTERNAL_IP4_DNS (§3.15, figures 23 and 24)', () => {
    // Generic header: Next Payload 0, C=0, Payload Length 16 | CFG Type 1, RESERVED 000000 |
    // Attribute R=0 type 1, Length 0 | Attribute R=0 type 3, Length 0.
    expect(toHex(emitIkePayload(cpRequestAddressAndDns()))).toBe('00000010' + '01000000' + '00010000' + '00030000');
  });

  it('TSi for the single address 10.1.0.7, any protocol, ports 0-65535 (§3.13, figures 19 and 20)', () => {
    // Generic header (length 24) | Number of TSs 1, RESERVED | TS Type 7, IP Protocol 0, Selector Length 16 |
    // Start Port 0, End Port 65535 | Starting Address 10.1.0.7 | Ending Address 10.1.0.7.
    expect(toHex(emitIkePayload(tsPayload('TSi', [tsForAddress('10.1.0.7')])))).toBe(
      '00000018' + '01000000' + '07000010' + '0000ffff' + '0a010007' + '0a010007',
    );
  });

  it('DHCP payload header (draft-ietf-ipsec-dhcp-over-ike-00 §5) and its type number in the chain', () => {
    // DHCPDISCOVER: 240 fixed bytes + option 53 (3) + option 55 [1,3,6] (5) + END (1) = 249 bytes.
    // Payload Length = 4 (generic header) + 1 (Packet Type) + 249 = 254 = 0x00fe; Packet Type 1 = DHCPv4;
    // then op 1, htype 31, hlen 6, hops 0, xid 0x3903f326 (§6 figure).
    const dhcp = dhcpPayload(sampleDhcpMessage(1));
    const bytes = emitIkePayload(dhcp);
    expect(bytes.length).toBe(254);
    expect(toHex(bytes.subarray(0, 13))).toBe('000000fe' + '01' + '011f0600' + '3903f326');
    // In a chain, the previous header names it: 128 by default, 16 (the draft's number) when configured.
    const nonce: IkePayload = { kind: 'Nonce', critical: false, data: new Uint8Array(16) };
    const m = message([nonce, dhcp], IkeExchangeType.INFORMATIONAL);
    expect(emitIkeMessage(m)[16]).toBe(40); // IKE header Next Payload = Nonce
    expect(emitIkeMessage(m)[28]).toBe(DHCP_PAYLOAD_TYPE_PRIVATE);
    expect(emitIkeMessage(m, { dhcpPayloadType: DHCP_PAYLOAD_TYPE_DRAFT })[28]).toBe(16);
    const back = parseIkeMessage(emitIkeMessage(m, { dhcpPayloadType: 16 }), 0, { dhcpPayloadType: 16 });
    expect(back.ok && back.value).toEqual(m);
  });

  it('IKE header (§3.1 figure 4): SPIs, Next Payload, version 2.0, exchange, flags I|R, message ID, length', () => {
    const m: IkeMessage = { ...message([]), exchangeType: 37, initiator: true, response: true, messageId: 0x01020304 };
    expect(toHex(emitIkeMessage(m))).toBe(
      '0102030405060708' + '1112131415161718' + '00' + '20' + '25' + '28' + '01020304' + '0000001c',
    );
    const h = parseIkeHeader(
      fromHex('0102030405060708111213141516171800' + '31' + '2501' + '01020304' + '0000001c'),
      0,
    );
    expect(h.ok && [h.value.majorVersion, h.value.minorVersion, h.value.reservedFlags, h.value.initiator]).toEqual([
      3,
      1,
      1,
      false,
    ]);
  });
});

describe('exact SK sizes per suite (RFC 7296 §3.14)', () => {
  // Inner payloads: IDi ID_FQDN "client.example.com" = 4 + 4 + 18 = 26; AUTH (PSK, 32 bytes) = 4 + 4 + 32 = 40;
  // CP(CFG_REQUEST) address + DNS = 16. Inner total = 82 bytes; plus the Pad Length byte = 83.
  const inner: IkePayload[] = [
    { kind: 'IDi', critical: false, id: { kind: 'fqdn', name: 'client.example.com' } },
    { kind: 'AUTH', critical: false, method: 2, data: new Uint8Array(32) },
    cpRequestAddressAndDns(),
  ];
  const cases: [CipherSuiteName, number, number][] = [
    // CBC: 83 → 96 (block 16, 13 bytes padding); SK = 4 + IV 16 + 96 + ICV 16 = 132; message = 28 + 132 = 160.
    ['aes128-sha256', 132, 160],
    ['aes256-sha256', 132, 160],
    // GCM: 83 → 84 (block 4, 1 byte padding); SK = 4 + IV 8 + 84 + ICV 16 = 112; message = 28 + 112 = 140.
    ['aes128gcm16', 112, 140],
    ['aes256gcm16', 112, 140],
  ];
  for (const [suite, skBytes, total] of cases) {
    it(`${suite}: SK payload ${skBytes} bytes, message ${total} bytes`, () => {
      const m = message([skPayload(suite, inner)]);
      const bytes = emitIkeMessage(m);
      expect(bytes.length).toBe(total);
      expect(ikeMessageLength(m)).toBe(total);
      expect((bytes[30] ?? 0) * 256 + (bytes[31] ?? 0)).toBe(skBytes); // SK Payload Length
      expect([bytes[16], bytes[28]]).toEqual([46, 35]); // header → SK; SK's Next Payload → IDi
      const back = parseIkeMessage(bytes, 0, { crypto: modelledIkeCrypto(suite) });
      expect(back.ok && back.value).toEqual(m);
      expect(back.ok && summarizeIkeMessage(back.value)).toBe('IKE_AUTH request #1 SK{IDi, AUTH, CP(CFG_REQUEST)}');
      // Without the crypto context, or with another suite's, the SK payload stays opaque.
      const opaque = parseIkeMessage(bytes, 0);
      expect(opaque.ok && summarizeIkeMessage(opaque.value)).toBe(
        `IKE_AUTH request #1 SK{…encrypted ${skBytes - 4} bytes}`,
      );
    });
  }

  it('a flipped ciphertext bit fails the modelled ICV: SK-opaque, still byte-identical', () => {
    const bytes = emitIkeMessage(message([skPayload('aes128-sha256', inner)]));
    bytes[60] = (bytes[60] ?? 0) ^ 0x01;
    const back = parseIkeMessage(bytes, 0, { crypto: modelledIkeCrypto('aes128-sha256') });
    expect(back.ok && back.value.payloads[0]?.kind).toBe('SK-opaque');
    expect(back.ok && toHex(emitIkeMessage(back.value))).toBe(toHex(bytes));
  });
});

describe('decode errors name the field path and offset', () => {
  const sa: IkePayload = {
    kind: 'SA',
    critical: false,
    proposals: [
      {
        number: 1,
        protocolId: 1,
        spi: '',
        transforms: [
          { type: 1, id: 12, attributes: [{ kind: 'tv', type: 14, value: 128 }] },
          { type: 3, id: 12, attributes: [] },
        ],
      },
    ],
  };
  const bytes = emitIkeMessage(message([notifyPayload({ notify: 'INITIAL_CONTACT' }), sa], 34));

  it('a transform length pointing past its proposal', () => {
    const bad = bytes.slice();
    // Header 28 + N 8 = 36: SA header; +4 proposal at 40; +8 first transform at 48 (12 bytes); second at 60.
    bad[62] = 0;
    bad[63] = 40;
    const r = parseIkeMessage(bad, 0);
    expect(r.ok ? null : r.error).toEqual({
      field: 'ike.payload[1](SA).proposal[0].transform[1].length',
      offset: 62,
      reason: 'length 40 outside [8, 8]',
    });
  });

  it('truncation, a bad version, and payloads nested in SK', () => {
    const r = parseIkeMessage(bytes.subarray(0, 40), 0);
    expect(r.ok ? null : r.error.field).toBe('ike.length');
    const v1 = bytes.slice();
    v1[17] = 0x10;
    expect(parseIkeMessage(v1, 0)).toEqual({
      ok: false,
      error: { field: 'ike.version', offset: 17, reason: 'major version 1, not 2 (RFC 7296 §3.1)' },
    });
    expect(() => emitIkeMessage(message([skPayload('aes128-sha256', [skPayload('aes128-sha256', [])])]))).toThrow(
      WireEmitError,
    );
    expect(() => emitIkeMessage(message([skPayload('aes128-sha256', []), sa]))).toThrow(WireEmitError);
  });

  it('unencodable values throw WireEmitError naming the field', () => {
    expect(() => emitIkeMessage({ ...message([]), spiI: 'ABCD' })).toThrow(
      new WireEmitError('ike.spiI', "SPI must be lower-case hex pairs, got 'ABCD'"),
    );
    expect(() =>
      emitIkeMessage(message([{ kind: 'KE', critical: false, dhGroup: 70000, data: new Uint8Array(0) }])),
    ).toThrow('ike.payload[0](KE).dhGroup');
    expect(() =>
      emitIkeMessage(message([skPayload('aes128-sha256', [])]), { crypto: modelledIkeCrypto('aes128gcm16') }),
    ).toThrow('ike.payload[0](SK).suite');
  });
});

describe('builders', () => {
  it('find payloads outside and inside SK, and notifies by name', () => {
    const m = message([
      notifyPayload({ notify: 'NAT_DETECTION_SOURCE_IP', hash: new Uint8Array(20) }),
      skPayload('aes128-sha256', [notifyPayload({ notify: 'INTERNAL_ADDRESS_FAILURE' }), cpRequestAddressAndDns()]),
    ]);
    expect(findPayload(m, 'CP')?.cfgType).toBe(1);
    expect(findNotify(m, 'INTERNAL_ADDRESS_FAILURE')?.kind).toBe('N');
    expect(findNotify(m, 'TS_UNACCEPTABLE')).toBeUndefined();
    expect(summarizeIkeMessage(m)).toBe(
      'IKE_AUTH request #1 N(NAT_DETECTION_SOURCE_IP), SK{N(INTERNAL_ADDRESS_FAILURE), CP(CFG_REQUEST)}',
    );
  });
});
