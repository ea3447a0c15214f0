import { describe, expect, it } from 'vitest';
import { fieldMap, flattenFields, type FieldNode } from '../../web/inspector/field-map.ts';
import { hexToBytes } from '../../web/model/exports.ts';
import { labRunner } from '../../web/runner.ts';
import type { SendEvent } from '../../sim/trace.ts';

const run = labRunner.run({ scenario: 'basic', method: 'dhcp-over-ike', seed: 1 });
const sends = run.trace.filter((e): e is SendEvent => e.type === 'send');
const bySummary = (prefix: string): Uint8Array =>
  hexToBytes((sends.find((s) => s.summary.startsWith(prefix)) as SendEvent).bytes);
const find = (nodes: readonly FieldNode[], path: string[]): FieldNode => {
  let level = nodes;
  let node: FieldNode | undefined;
  for (const label of path) {
    node = level.find((n) => n.label === label);
    if (!node) throw new Error(`no ${label} in ${level.map((n) => n.label).join(', ')}`);
    level = node.children ?? [];
  }
  return node as FieldNode;
};

describe('field map', () => {
  it('maps IPv4, UDP, IKE header and payloads, and the DHCP message inside the DHCP payload', () => {
    const fm = fieldMap(bySummary('IKE_AUTH request'));
    expect(find(fm, ['IPv4', 'Source Address'])).toMatchObject({
      start: 12,
      end: 16,
      value: '198.51.100.11',
      ref: 'RFC 791 §3.1',
    });
    expect(find(fm, ['IPv4', 'UDP', 'Destination Port'])).toMatchObject({
      start: 22,
      end: 24,
      value: '500',
      ref: 'RFC 768',
    });
    expect(find(fm, ['IPv4', 'UDP', 'IKEv2', 'IKE Header', 'Message ID'])).toMatchObject({
      start: 48,
      end: 52,
      value: '1',
      ref: 'RFC 7296 §3.1',
    });
    const sk = ['IPv4', 'UDP', 'IKEv2', 'SK payload'];
    expect(find(fm, sk)).toMatchObject({ ref: 'RFC 7296 §3.14' });
    const inner = [...sk, 'Encrypted payloads (aes128gcm16, modelled: readable)'];
    expect(find(fm, [...inner, 'IDi payload', 'Identification Data']).value).toBe('client1@example.com');
    const dhcp = [...inner, 'DHCP payload', 'DHCP message (inside IKE)'];
    expect(find(fm, [...inner, 'DHCP payload']).ref).toBe('draft-ietf-ipsec-dhcp-over-ike-00 §5');
    expect(find(fm, dhcp)).toMatchObject({ value: 'DHCPDISCOVER', ref: 'RFC 2131 §2' });
    // draft-ietf-ipsec-dhcp-over-ike-00 §4: htype 31 (IPsec tunnel), chaddr derived from the client's outside address.
    expect(find(fm, [...dhcp, 'htype'])).toMatchObject({ value: '31 (IPsec tunnel)', start: 171, end: 172 });
    expect(find(fm, [...dhcp, 'xid'])).toMatchObject({ value: '0xafdebdb7', start: 174, end: 178 });
    expect(find(fm, [...dhcp, 'magic cookie'])).toMatchObject({ value: '0x63825363' });
    expect(find(fm, [...dhcp, 'Options', '53 DHCP Message Type'])).toMatchObject({
      ref: 'RFC 2132 §9.6',
      value: '1 (DHCPDISCOVER)',
    });
  });

  it('maps option 82 sub-options of a relayed message (RFC 3046 §2.0)', () => {
    const bytes = bySummary('DHCPDISCOVER');
    const fm = fieldMap(bytes);
    const o82 = find(fm, ['IPv4', 'UDP', 'DHCP message', 'Options', '82 Relay Agent Information']);
    expect(o82.ref).toBe('RFC 3046 §2.0');
    const remote = find(o82.children ?? [], ['2 Agent Remote ID', 'Value']);
    expect(new TextDecoder().decode(bytes.subarray(remote.start, remote.end))).toBe('client1@example.com');
  });

  it('nests every field inside its parent, within the packet, for every packet of a run', () => {
    for (const s of sends) {
      const bytes = hexToBytes(s.bytes);
      const walk = (nodes: readonly FieldNode[], lo: number, hi: number): void => {
        for (const n of nodes) {
          expect(n.error).toBeUndefined();
          expect(n.start >= lo && n.end <= hi && n.start <= n.end).toBe(true);
          if (n.children) walk(n.children, n.start, n.end);
        }
      };
      walk(fieldMap(bytes), 0, bytes.length);
    }
    expect(flattenFields(fieldMap(bySummary('ESP'))).some((f) => f.node.label === 'Inner IPv4')).toBe(true);
  });

  it('never throws on garbage', () => {
    for (const bytes of [
      new Uint8Array(0),
      Uint8Array.of(0x45, 0, 0, 99),
      hexToBytes('4500001c0000400040110000c0000201c00002010001f4000800'),
    ]) {
      expect(fieldMap(bytes)[0]?.label).toBe('IPv4');
    }
  });
});
