import { describe, expect, test } from 'vitest';
import {
  ethernetIdentity,
  fnv1a32,
  ipsecTunnelIdentity,
  rfc4361ClientId,
  strongSwanIdentity,
} from '../../../models/dhcp/client-identity.ts';
import {
  leaseTimers,
  nominalRetransmitMs,
  renewalRetransmitMs,
  RFC2131_RETRANSMIT,
} from '../../../models/dhcp/client-timers.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('identities', () => {
  test('FNV-1a 32 reference vectors', () => {
    expect(fnv1a32(new Uint8Array())).toBe(0x811c9dc5);
    expect(fnv1a32(new TextEncoder().encode('a'))).toBe(0xe40c292c);
    expect(fnv1a32(new TextEncoder().encode('foobar'))).toBe(0xbf9cf968);
  });
  test('Ethernet: htype 1, hlen 6, MAC at the start of a 16-byte chaddr', () => {
    const id = ethernetIdentity('02:00:5e:00:00:01');
    expect([id.htype, id.hlen, hex(id.chaddr)]).toEqual([1, 6, '02005e00000100000000000000000000']);
  });
  test('draft-ietf-ipsec-dhcp-over-ike §4: htype 31, from the LAN MAC or 4000 ‖ IPv4 ‖ octet', () => {
    const lan = ipsecTunnelIdentity({ lanMac: '02:00:5e:00:00:01' });
    expect([lan.htype, lan.hlen, hex(lan.chaddr).slice(0, 12)]).toEqual([31, 6, '02005e000001']);
    const none = ipsecTunnelIdentity({ outerAddress: '198.51.100.7', octet: 1 });
    expect([none.htype, none.hlen, hex(none.chaddr)]).toEqual([31, 7, '4000c633640701000000000000000000']);
  });
  test('strongSwan: 7a:a7 + FNV-1a of the identity; optional option 61 type 0', () => {
    const id = strongSwanIdentity('carol@strongswan.org', true);
    const h = fnv1a32(new TextEncoder().encode('carol@strongswan.org')).toString(16).padStart(8, '0');
    expect([id.htype, id.hlen, hex(id.chaddr).slice(0, 12)]).toEqual([1, 6, `7aa7${h}`]);
    expect(id.clientId?.type).toBe(0);
  });
  test('RFC 4361 client identifier: 255 ‖ IAID ‖ DUID', () => {
    const c = rfc4361ClientId(0x01020304, Uint8Array.of(0, 3, 0, 1));
    expect([c.type, hex(c.data)]).toEqual([255, '0102030400030001']);
  });
});

describe('timer arithmetic (RFC 2131 §4.1, §4.4.5)', () => {
  test('backoff 4, 8, 16, 32, 64, 64 s', () => {
    expect([0, 1, 2, 3, 4, 5].map((i) => nominalRetransmitMs(RFC2131_RETRANSMIT, i))).toEqual([
      4000, 8000, 16000, 32000, 64000, 64000,
    ]);
  });
  test('T1 = lease × 0.5, T2 = lease × 0.875, exact in ms', () => {
    expect(leaseTimers(3600)).toEqual({
      infinite: false,
      leaseMs: 3_600_000,
      t1Ms: 1_800_000,
      t2Ms: 3_150_000,
      source: 'defaults',
    });
    expect(leaseTimers(1)).toMatchObject({ t1Ms: 500, t2Ms: 875 });
    expect(leaseTimers(7)).toMatchObject({ t1Ms: 3500, t2Ms: 6125 });
    expect(leaseTimers(3600, 600, 1200)).toMatchObject({ t1Ms: 600_000, t2Ms: 1_200_000, source: 'options' });
    expect(leaseTimers(3600, 3000, 2000)).toMatchObject({ t1Ms: 1_800_000, t2Ms: 3_150_000, source: 'defaults' });
    expect(leaseTimers(0xffffffff).infinite).toBe(true);
  });
  test('renewal retransmission: half the remaining time, at least 60 s, none at the deadline', () => {
    expect(renewalRetransmitMs(1_350_000)).toBe(675_000);
    expect(renewalRetransmitMs(84_375)).toBe(60_000);
    expect(renewalRetransmitMs(60_000)).toBeNull();
    expect(renewalRetransmitMs(24_375)).toBeNull();
  });
});
