import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  decodeDhcpOption,
  dhcpOptionLength,
  emitDhcpOption,
  emitDhcpOptionInto,
  parseDhcpOption,
} from '../../../../models/wire/dhcp/options.ts';
import {
  emitRelayAgentSubOptions,
  emitRelayAgentSubOptionsInto,
  parseRelayAgentSubOptions,
  relayAgentSubOptionsLength,
} from '../../../../models/wire/dhcp/relay-agent.ts';
import type { DhcpOption, RelayAgentSubOption } from '../../../../models/wire/dhcp/types.ts';
import { toHex } from '../../../../models/wire/bytes.ts';
import { checkCodecContract, checkNeverThrows, type CodecUnderTest } from '../codec-contract.ts';
import { dhcpOptionArb, relaySubOptionArb } from '../arbitraries/dhcp.ts';

export const dhcpOptionCodec: CodecUnderTest<DhcpOption> = {
  name: 'dhcp.option',
  parse: (b, o) => parseDhcpOption(b, o),
  emit: emitDhcpOption,
  emitInto: (v, b, o) => emitDhcpOptionInto(v, b, o),
  length: dhcpOptionLength,
};

export const relaySubOptionsCodec: CodecUnderTest<RelayAgentSubOption[]> = {
  name: 'dhcp.option82.sub',
  parse: (b, o) => parseRelayAgentSubOptions(b, o, b.length),
  emit: emitRelayAgentSubOptions,
  emitInto: (v, b, o) => emitRelayAgentSubOptionsInto(v, b, o),
  length: relayAgentSubOptionsLength,
};

describe('dhcp options', () => {
  it('encodes each typed option exactly (RFC 2132)', () => {
    const cases: [DhcpOption, string][] = [
      [{ kind: 'subnetMask', mask: '255.255.255.0' }, '0104ffffff00'],
      [{ kind: 'routers', addresses: ['10.0.0.1', '10.0.0.2'] }, '03080a0000010a000002'],
      [{ kind: 'dnsServers', addresses: ['10.0.0.53'] }, '06040a000035'],
      [{ kind: 'hostName', name: 'h1' }, '0c026831'],
      [{ kind: 'domainName', name: 'ex' }, '0f026578'],
      [{ kind: 'requestedAddress', address: '10.1.0.7' }, '32040a010007'],
      [{ kind: 'leaseTime', secs: 3600 }, '330400000e10'],
      [{ kind: 'overload', value: 3 }, '340103'],
      [{ kind: 'messageType', type: 8 }, '350108'],
      [{ kind: 'serverId', address: '192.0.2.1' }, '3604c0000201'],
      [{ kind: 'parameterRequestList', codes: [1, 3, 6] }, '3703010306'],
      [{ kind: 'maxMessageSize', bytes: 1500 }, '390205dc'],
      [{ kind: 'renewalTime', secs: 1800 }, '3a0400000708'],
      [{ kind: 'rebindingTime', secs: 3150 }, '3b0400000c4e'],
      [{ kind: 'clientId', type: 1, data: Uint8Array.of(2, 0, 0, 0, 0, 1) }, '3d0701020000000001'],
      [
        {
          kind: 'relayAgentInfo',
          subOptions: [
            { kind: 'circuitId', data: Uint8Array.of(0xaa) },
            { kind: 'remoteId', data: Uint8Array.of(0xbb) },
            { kind: 'linkSelection', subnet: '10.1.0.0' },
            { kind: 'serverIdOverride', serverId: '192.0.2.1' },
            { kind: 'relayPort', port: null },
            { kind: 'relayPort', port: 1067 },
          ],
        },
        '5218' + '0101aa' + '0201bb' + '05040a010000' + '0b04c0000201' + '1300' + '1302042b',
      ],
      [{ kind: 'raw', code: 224, data: Uint8Array.of(1) }, 'e00101'],
      [{ kind: 'pad' }, '00'],
    ];
    for (const [option, hex] of cases) {
      expect(toHex(emitDhcpOption(option)), option.kind).toBe(hex);
      checkCodecContract(dhcpOptionCodec, option);
    }
  });

  it('keeps a known code with an unfit length raw', () => {
    expect(decodeDhcpOption(53, Uint8Array.of(9))).toEqual({ kind: 'raw', code: 53, data: Uint8Array.of(9) });
    expect(decodeDhcpOption(3, Uint8Array.of(1, 2))).toEqual({ kind: 'raw', code: 3, data: Uint8Array.of(1, 2) });
    expect(decodeDhcpOption(82, Uint8Array.of(1, 5))).toEqual({ kind: 'raw', code: 82, data: Uint8Array.of(1, 5) });
    expect(parseDhcpOption(Uint8Array.of(255), 0)).toMatchObject({
      ok: false,
      error: { field: 'dhcp.option.code', offset: 0 },
    });
  });

  test.prop([dhcpOptionArb])('options round-trip', (o) => checkCodecContract(dhcpOptionCodec, o));
  test.prop([fc.array(relaySubOptionArb, { maxLength: 6 })])('sub-options round-trip', (s) =>
    checkCodecContract(relaySubOptionsCodec, s),
  );
  test.prop([fc.uint8Array({ maxLength: 40 })])('never throw', (b) => {
    checkNeverThrows(dhcpOptionCodec, b);
    checkNeverThrows(relaySubOptionsCodec, b);
  });
});
