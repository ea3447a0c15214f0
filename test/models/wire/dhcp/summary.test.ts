import { describe, expect, it } from 'vitest';
import { summarizeDhcpMessage } from '../../../../models/wire/dhcp/summary.ts';
import { buildDhcpMessage, defaultDhcpMessage } from '../../../../models/wire/dhcp/message.ts';

const mac = Uint8Array.of(2, 0, 0, 0, 0, 1);

describe('dhcp summary', () => {
  it('shows the example line of the brief', () => {
    const offer = buildDhcpMessage({
      type: 'OFFER',
      xid: 0x1a2b3c4d,
      hardwareAddress: mac,
      fields: { yiaddr: '10.1.0.7', giaddr: '192.0.2.1' },
      options: [
        {
          kind: 'relayAgentInfo',
          subOptions: [{ kind: 'remoteId', data: new TextEncoder().encode('alice@example.com') }],
        },
      ],
    });
    expect(summarizeDhcpMessage(offer)).toBe(
      'DHCPOFFER 10.1.0.7 xid=0x1a2b3c4d giaddr=192.0.2.1 [82: remote-id=alice@example.com]',
    );
  });

  it('shows non-printable data as hex and every sub-option kind', () => {
    const m = buildDhcpMessage({
      type: 'DISCOVER',
      xid: 7,
      hardwareAddress: mac,
      options: [
        {
          kind: 'relayAgentInfo',
          subOptions: [
            { kind: 'circuitId', data: Uint8Array.of(0, 1, 0xfe) },
            { kind: 'linkSelection', subnet: '10.1.0.0' },
            { kind: 'serverIdOverride', serverId: '192.0.2.1' },
            { kind: 'relayPort', port: null },
            { kind: 'relayPort', port: 1067 },
            { kind: 'raw', code: 151, data: new Uint8Array(0) },
          ],
        },
      ],
    });
    expect(summarizeDhcpMessage(m)).toBe(
      'DHCPDISCOVER xid=0x00000007 [82: circuit-id=0x0001fe, link-selection=10.1.0.0, server-id-override=192.0.2.1, relay-port, relay-port=1067, sub151=""]',
    );
  });

  it('picks the address the message is about', () => {
    expect(summarizeDhcpMessage(buildDhcpMessage({ type: 'NAK', xid: 1, hardwareAddress: mac }))).toBe(
      'DHCPNAK xid=0x00000001',
    );
    expect(
      summarizeDhcpMessage(
        buildDhcpMessage({ type: 'RELEASE', xid: 2, hardwareAddress: mac, fields: { ciaddr: '10.0.0.9' } }),
      ),
    ).toBe('DHCPRELEASE 10.0.0.9 xid=0x00000002');
    expect(
      summarizeDhcpMessage(
        buildDhcpMessage({
          type: 'DECLINE',
          xid: 3,
          hardwareAddress: mac,
          options: [{ kind: 'requestedAddress', address: '10.0.0.5' }],
        }),
      ),
    ).toBe('DHCPDECLINE 10.0.0.5 xid=0x00000003');
    expect(
      summarizeDhcpMessage(
        buildDhcpMessage({ type: 'INFORM', xid: 4, hardwareAddress: mac, fields: { ciaddr: '10.0.0.4' } }),
      ),
    ).toBe('DHCPINFORM 10.0.0.4 xid=0x00000004');
    expect(summarizeDhcpMessage(defaultDhcpMessage({ op: 2, xid: 5 }))).toBe('BOOTREPLY xid=0x00000005');
  });
});
