/**
 * fast-check arbitraries for valid IKEv2 messages (models/wire/ike). Raw/other variants avoid the numbers that
 * parse into a typed variant, so every generated value round-trips to a deep-equal value.
 */
import { fc } from '@fast-check/vitest';
import type { CipherSuiteName } from '../../../../models/wire/crypto-suite.ts';
import { dhcpMessageLength } from '../../../../models/wire/dhcp/codec.ts';
import {
  IkeNotifyType,
  type IkeConfigAttribute,
  type IkeIdentity,
  type IkeMessage,
  type IkeNotification,
  IKE_NOTIFY_NAMES_WITHOUT_DATA,
  type IkePayload,
  type IkeProposal,
  type IkeTrafficSelector,
  type IkeTransform,
  type IkeTransformAttribute,
} from '../../../../models/wire/ike/index.ts';
import { dhcpMessageArb } from './dhcp.ts';
import { ipv4AddressArb } from './ipv4.ts';

const bytesArb = (max: number, min = 0) => fc.uint8Array({ minLength: min, maxLength: max });
const latin1Arb = (max: number) => fc.array(fc.nat(255), { maxLength: max }).map((cs) => String.fromCharCode(...cs));
const spiArb = (bytes: number) =>
  bytesArb(bytes, bytes).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
const critical = fc.boolean();

export const ikeSuiteNameArb = fc.constantFrom<CipherSuiteName>(
  'aes128-sha256',
  'aes256-sha256',
  'aes128gcm16',
  'aes256gcm16',
);

export const transformAttributeArb: fc.Arbitrary<IkeTransformAttribute> = fc.oneof(
  fc.record({ kind: fc.constant('tv' as const), type: fc.nat(0x7fff), value: fc.nat(0xffff) }),
  fc.record({ kind: fc.constant('tlv' as const), type: fc.nat(0x7fff), data: bytesArb(6) }),
);

export const transformArb: fc.Arbitrary<IkeTransform> = fc.record({
  type: fc.nat(255),
  id: fc.nat(0xffff),
  attributes: fc.array(transformAttributeArb, { maxLength: 2 }),
});

export const proposalArb: fc.Arbitrary<IkeProposal> = fc.record({
  number: fc.nat(255),
  protocolId: fc.nat(255),
  spi: fc.constantFrom(0, 4, 8).chain(spiArb),
  transforms: fc.array(transformArb, { maxLength: 4 }),
});

const TYPED_ID_TYPES = new Set([1, 2, 3, 11]);
export const identityArb: fc.Arbitrary<IkeIdentity> = fc.oneof(
  fc.record({ kind: fc.constant('ipv4' as const), address: ipv4AddressArb }),
  fc.record({ kind: fc.constant('fqdn' as const), name: latin1Arb(20) }),
  fc.record({ kind: fc.constant('rfc822' as const), name: latin1Arb(20) }),
  fc.record({ kind: fc.constant('keyId' as const), data: bytesArb(12) }),
  fc.record({
    kind: fc.constant('raw' as const),
    idType: fc.nat(255).filter((t) => !TYPED_ID_TYPES.has(t)),
    data: bytesArb(12),
  }),
);

const NAMES_WITHOUT_DATA = IKE_NOTIFY_NAMES_WITHOUT_DATA;
const TYPED_NOTIFY_NUMBERS = new Set<number>(
  [
    ...NAMES_WITHOUT_DATA,
    'INVALID_KE_PAYLOAD',
    'INVALID_MESSAGE_ID',
    'NAT_DETECTION_SOURCE_IP',
    'NAT_DETECTION_DESTINATION_IP',
    'SIGNATURE_HASH_ALGORITHMS',
  ].map((n) => IkeNotifyType[n as keyof typeof IkeNotifyType]),
);

export const notificationArb: fc.Arbitrary<IkeNotification> = fc.oneof(
  fc.constantFrom(...NAMES_WITHOUT_DATA).map((notify) => ({ notify })),
  fc.record({ notify: fc.constant('INVALID_KE_PAYLOAD' as const), dhGroup: fc.nat(0xffff) }),
  fc.record({ notify: fc.constant('INVALID_MESSAGE_ID' as const), messageId: fc.nat({ max: 0xffffffff }) }),
  fc.record({
    notify: fc.constantFrom('NAT_DETECTION_SOURCE_IP' as const, 'NAT_DETECTION_DESTINATION_IP' as const),
    hash: bytesArb(20),
  }),
  fc.record({
    notify: fc.constant('SIGNATURE_HASH_ALGORITHMS' as const),
    algorithms: fc.array(fc.nat(0xffff), { maxLength: 4 }),
  }),
  fc.record({
    notify: fc.constant('other' as const),
    notifyType: fc.nat(0xffff).filter((t) => !TYPED_NOTIFY_NUMBERS.has(t)),
    data: bytesArb(10),
  }),
);

export const trafficSelectorArb: fc.Arbitrary<IkeTrafficSelector> = fc.oneof(
  fc.record({
    kind: fc.constant('ipv4Range' as const),
    ipProtocol: fc.nat(255),
    startPort: fc.nat(0xffff),
    endPort: fc.nat(0xffff),
    startAddress: ipv4AddressArb,
    endAddress: ipv4AddressArb,
  }),
  fc.record({
    kind: fc.constant('raw' as const),
    tsType: fc.nat(255).filter((t) => t !== 7),
    ipProtocol: fc.nat(255),
    data: bytesArb(32),
  }),
);

const TYPED_ATTRIBUTES = new Set([1, 2, 3, 4, 6, 7, 13, 14]);
export const configAttributeArb: fc.Arbitrary<IkeConfigAttribute> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      'ip4Address' as const,
      'ip4Netmask' as const,
      'ip4Dns' as const,
      'ip4Nbns' as const,
      'ip4Dhcp' as const,
    ),
    address: fc.option(ipv4AddressArb, { nil: null }),
  }),
  fc.record({ kind: fc.constant('applicationVersion' as const), version: latin1Arb(16) }),
  fc.record({
    kind: fc.constant('ip4Subnet' as const),
    subnet: fc.option(fc.record({ address: ipv4AddressArb, netmask: ipv4AddressArb }), { nil: null }),
  }),
  fc.record({ kind: fc.constant('supportedAttributes' as const), types: fc.array(fc.nat(0xffff), { maxLength: 5 }) }),
  fc.record({
    kind: fc.constant('raw' as const),
    type: fc.nat(0x7fff).filter((t) => !TYPED_ATTRIBUTES.has(t)),
    data: bytesArb(17),
  }),
);

/** Payload types the codec models (33–47) and the DHCP payload's default number: `unknown` avoids them. */
const MODELLED_TYPES = new Set([0, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 128]);

/** Any payload except SK. */
export const innerPayloadArb: fc.Arbitrary<IkePayload> = fc.oneof(
  fc.record({ kind: fc.constant('SA' as const), critical, proposals: fc.array(proposalArb, { maxLength: 2 }) }),
  fc.record({ kind: fc.constant('KE' as const), critical, dhGroup: fc.nat(0xffff), data: bytesArb(64) }),
  fc.record({ kind: fc.constantFrom('IDi' as const, 'IDr' as const), critical, id: identityArb }),
  fc.record({
    kind: fc.constantFrom('CERT' as const, 'CERTREQ' as const),
    critical,
    encoding: fc.nat(255),
    data: bytesArb(20),
  }),
  fc.record({ kind: fc.constant('AUTH' as const), critical, method: fc.nat(255), data: bytesArb(32) }),
  fc.record({ kind: fc.constant('Nonce' as const), critical, data: bytesArb(40) }),
  fc.record({ kind: fc.constant('V' as const), critical, data: bytesArb(16) }),
  fc
    .tuple(critical, fc.nat(255), fc.constantFrom(0, 4, 8).chain(spiArb), notificationArb)
    .map(([c, protocolId, spi, n]): IkePayload => ({ kind: 'N', critical: c, protocolId, spi, ...n })),
  fc
    .tuple(critical, fc.nat(255), fc.constantFrom(0, 4, 8), fc.nat(3))
    .chain(([c, protocolId, spiSize, n]) =>
      fc
        .array(spiArb(spiSize), { minLength: n, maxLength: n })
        .map((spis): IkePayload => ({ kind: 'D', critical: c, protocolId, spiSize, spis })),
    ),
  fc.record({
    kind: fc.constantFrom('TSi' as const, 'TSr' as const),
    critical,
    selectors: fc.array(trafficSelectorArb, { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('CP' as const),
    critical,
    cfgType: fc.nat(255),
    attributes: fc.array(configAttributeArb, { maxLength: 5 }),
  }),
  fc.record({
    kind: fc.constant('DHCP' as const),
    critical,
    packet: fc.oneof(
      fc.record({
        kind: fc.constant('dhcpv4' as const),
        message: dhcpMessageArb.filter((m) => dhcpMessageLength(m) <= 576),
      }),
      fc.record({
        kind: fc.constant('raw' as const),
        packetType: fc.nat(255).filter((t) => t !== 1),
        data: bytesArb(12),
      }),
    ),
  }),
  fc.record({
    kind: fc.constant('unknown' as const),
    critical,
    payloadType: fc.nat(255).filter((t) => !MODELLED_TYPES.has(t)),
    data: bytesArb(12),
  }),
);

const skArb: fc.Arbitrary<IkePayload> = fc.oneof(
  fc.record({
    kind: fc.constant('SK' as const),
    critical,
    suite: ikeSuiteNameArb,
    payloads: fc.array(innerPayloadArb, { maxLength: 5 }),
  }),
  fc.record({
    kind: fc.constant('SK-opaque' as const),
    critical,
    firstPayloadType: fc.nat(255),
    encrypted: bytesArb(64),
  }),
);

export const ikeMessageArb: fc.Arbitrary<IkeMessage> = fc.record({
  spiI: spiArb(8),
  spiR: spiArb(8),
  exchangeType: fc.oneof(fc.constantFrom(34, 35, 36, 37), fc.nat(255)),
  initiator: fc.boolean(),
  higherVersion: fc.boolean(),
  response: fc.boolean(),
  messageId: fc.nat({ max: 0xffffffff }),
  payloads: fc
    .tuple(fc.array(innerPayloadArb, { maxLength: 4 }), fc.option(skArb, { nil: undefined }))
    .map(([outer, sk]) => (sk === undefined ? outer : [...outer, sk])),
});
