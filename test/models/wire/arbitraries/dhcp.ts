import { fc } from '@fast-check/vitest';
import type {
  DhcpMessage,
  DhcpMessageTypeCode,
  DhcpOption,
  RelayAgentSubOption,
} from '../../../../models/wire/dhcp/types.ts';
import { ipv4AddressArb } from './ipv4.ts';

const bytesArb = (max: number) => fc.uint8Array({ maxLength: max });
const latin1Arb = (min: number, max: number) =>
  fc.array(fc.nat(255), { minLength: min, maxLength: max }).map((cs) => String.fromCharCode(...cs));

/** Codes with a typed kind in options.ts (and pad/end): raw options use other codes so they re-parse as raw. */
const TYPED_CODES = new Set([0, 1, 3, 6, 12, 15, 50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 82, 255]);
const TYPED_SUB_CODES = new Set([1, 2, 5, 11, 19]);

export const relaySubOptionArb: fc.Arbitrary<RelayAgentSubOption> = fc.oneof(
  fc.record({ kind: fc.constant('circuitId' as const), data: bytesArb(20) }),
  fc.record({ kind: fc.constant('remoteId' as const), data: bytesArb(20) }),
  fc.record({ kind: fc.constant('linkSelection' as const), subnet: ipv4AddressArb }),
  fc.record({ kind: fc.constant('serverIdOverride' as const), serverId: ipv4AddressArb }),
  fc.record({ kind: fc.constant('relayPort' as const), port: fc.option(fc.nat(0xffff), { nil: null }) }),
  fc.record({
    kind: fc.constant('raw' as const),
    code: fc.nat(255).filter((c) => !TYPED_SUB_CODES.has(c)),
    data: bytesArb(10),
  }),
);

export const dhcpOptionArb: fc.Arbitrary<DhcpOption> = fc.oneof(
  fc.constant({ kind: 'pad' as const }),
  fc.record({ kind: fc.constant('subnetMask' as const), mask: ipv4AddressArb }),
  fc.record({
    kind: fc.constant('routers' as const),
    addresses: fc.array(ipv4AddressArb, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('dnsServers' as const),
    addresses: fc.array(ipv4AddressArb, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('hostName' as const), name: latin1Arb(0, 20) }),
  fc.record({ kind: fc.constant('domainName' as const), name: latin1Arb(0, 20) }),
  fc.record({ kind: fc.constant('requestedAddress' as const), address: ipv4AddressArb }),
  fc.record({ kind: fc.constant('leaseTime' as const), secs: fc.nat({ max: 0xffffffff }) }),
  fc.record({ kind: fc.constant('overload' as const), value: fc.constantFrom<1 | 2 | 3>(1, 2, 3) }),
  fc.record({
    kind: fc.constant('messageType' as const),
    type: fc.integer({ min: 1, max: 8 }).map((t) => t as DhcpMessageTypeCode),
  }),
  fc.record({ kind: fc.constant('serverId' as const), address: ipv4AddressArb }),
  fc.record({ kind: fc.constant('parameterRequestList' as const), codes: fc.array(fc.nat(255), { maxLength: 12 }) }),
  fc.record({ kind: fc.constant('maxMessageSize' as const), bytes: fc.nat(0xffff) }),
  fc.record({ kind: fc.constant('renewalTime' as const), secs: fc.nat({ max: 0xffffffff }) }),
  fc.record({ kind: fc.constant('rebindingTime' as const), secs: fc.nat({ max: 0xffffffff }) }),
  fc.record({ kind: fc.constant('clientId' as const), type: fc.nat(255), data: bytesArb(16) }),
  fc.record({
    kind: fc.constant('relayAgentInfo' as const),
    subOptions: fc.array(relaySubOptionArb, { maxLength: 5 }),
  }),
  fc.record({
    kind: fc.constant('raw' as const),
    code: fc.nat(255).filter((c) => !TYPED_CODES.has(c)),
    data: bytesArb(30),
  }),
);

/**
 * Valid messages. sname/file are zero-filled when an overload option may read them (zeros are pads), otherwise
 * arbitrary; options avoid two adjacent instances of one code at 255 bytes (RFC 3396 would join them).
 */
export const dhcpMessageArb: fc.Arbitrary<DhcpMessage> = fc
  .record({
    op: fc.constantFrom<1 | 2>(1, 2),
    htype: fc.nat(255),
    hlen: fc.nat(255),
    hops: fc.nat(255),
    xid: fc.nat({ max: 0xffffffff }),
    secs: fc.nat(0xffff),
    flags: fc.nat(0xffff),
    ciaddr: ipv4AddressArb,
    yiaddr: ipv4AddressArb,
    siaddr: ipv4AddressArb,
    giaddr: ipv4AddressArb,
    chaddr: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    sname: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    file: fc.uint8Array({ minLength: 128, maxLength: 128 }),
    options: fc.array(dhcpOptionArb, { maxLength: 12 }),
    endPaddingBytes: fc.nat(60),
  })
  .map((m) =>
    m.options.some((o) => o.kind === 'overload') ? { ...m, sname: new Uint8Array(64), file: new Uint8Array(128) } : m,
  );
