/**
 * Sample IKEv2 messages: one of every exchange type, every payload kind (CP and the DHCP payload included), a Notify
 * of each named type, Delete, Vendor ID, CERT/CERTREQ, both directions, every modelled cipher suite. Used by the
 * codec contract tests and by the tshark check of the pcap writer. Deterministic: filler bytes come from a counter.
 */
import { CIPHER_SUITES, type CipherSuiteName } from '../crypto-suite.ts';
import type { DhcpMessage, DhcpMessageTypeCode, DhcpOption } from '../dhcp/types.ts';
import {
  cpReply,
  cpRequestAddressAndDns,
  dhcpPayload,
  notifyPayload,
  proposalForSuite,
  skPayload,
  tsForAddress,
  tsFullRange,
  tsPayload,
  tsRange,
} from './builders.ts';
import { IkeAuthMethod, IkeCertEncoding, IkeCfgType, IkeExchangeType as X, IkeProtocolId } from './constants.ts';
import type { IkeMessage, IkePayload } from './types.ts';

/** `n` bytes from a linear congruential sequence (integer arithmetic only). */
export function sampleBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const SPI_I = '76075223bbe2805f';
const SPI_R = '8ee674014d4fc1a4';
const ZERO_SPI = '0000000000000000';
/** chaddr per draft-ietf-ipsec-dhcp-over-ike-00 §4: x'4000' ‖ IPv4 of the outer interface ‖ one octet. */
const CHADDR = Uint8Array.of(0x40, 0x00, 192, 0, 2, 10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/** A DHCPv4 message as the WG draft's §6 figure shows it: htype 31, hlen 6, option 53 first. */
export function sampleDhcpMessage(type: DhcpMessageTypeCode, yiaddr = '0.0.0.0'): DhcpMessage {
  const reply = type === 2 || type === 5 || type === 6;
  const options: DhcpOption[] = [{ kind: 'messageType', type }];
  if (type === 3) options.push({ kind: 'requestedAddress', address: '10.1.0.7' });
  if (reply) {
    options.push({ kind: 'serverId', address: '10.1.0.1' });
    options.push({ kind: 'leaseTime', secs: 3600 });
    options.push({ kind: 'subnetMask', mask: '255.255.255.0' });
  } else {
    options.push({ kind: 'parameterRequestList', codes: [1, 3, 6] });
  }
  return {
    op: reply ? 2 : 1,
    htype: 31,
    hlen: 6,
    hops: 0,
    xid: 0x3903f326,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr,
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: CHADDR,
    sname: new Uint8Array(64),
    file: new Uint8Array(128),
    options,
    endPaddingBytes: 0,
  };
}

function header(
  exchangeType: number,
  messageId: number,
  response: boolean,
  payloads: readonly IkePayload[],
  fromInitiator = !response,
): IkeMessage {
  return {
    spiI: SPI_I,
    spiR: exchangeType === X.IKE_SA_INIT && !response ? ZERO_SPI : SPI_R,
    exchangeType,
    initiator: fromInitiator,
    higherVersion: false,
    response,
    messageId,
    payloads,
  };
}

const P = { critical: false } as const;

function saInit(suite: CipherSuiteName, seed: number): IkePayload[] {
  return [
    { kind: 'SA', ...P, proposals: [proposalForSuite(CIPHER_SUITES[suite], IkeProtocolId.IKE, '', 14)] },
    { kind: 'KE', ...P, dhGroup: 14, data: sampleBytes(256, seed) },
    { kind: 'Nonce', ...P, data: sampleBytes(32, seed + 1) },
    notifyPayload({ notify: 'NAT_DETECTION_SOURCE_IP', hash: sampleBytes(20, seed + 2) }),
    notifyPayload({ notify: 'NAT_DETECTION_DESTINATION_IP', hash: sampleBytes(20, seed + 3) }),
  ];
}

function childSa(suite: CipherSuiteName, spi: string): IkePayload {
  return { kind: 'SA', ...P, proposals: [proposalForSuite(CIPHER_SUITES[suite], IkeProtocolId.ESP, spi)] };
}

function auth(seed: number): IkePayload {
  return { kind: 'AUTH', ...P, method: IkeAuthMethod.SHARED_KEY_MIC, data: sampleBytes(32, seed) };
}

/** The sample messages; each SK payload names its suite, so `modelledIkeCrypto(suite)` opens it. */
export function ikeSampleMessages(): IkeMessage[] {
  return [
    // IKE_SA_INIT, RFC 7296 §1.2, with the notifies real peers add.
    header(X.IKE_SA_INIT, 0, false, [
      ...saInit('aes128-sha256', 1),
      notifyPayload({ notify: 'SIGNATURE_HASH_ALGORITHMS', algorithms: [2, 3, 4, 5] }),
      { kind: 'V', ...P, data: sampleBytes(16, 5) },
    ]),
    header(X.IKE_SA_INIT, 0, true, [
      ...saInit('aes128-sha256', 11),
      { kind: 'CERTREQ', ...P, encoding: IkeCertEncoding.X509_SIGNATURE, data: sampleBytes(20, 12) },
      notifyPayload({ notify: 'CHILDLESS_IKEV2_SUPPORTED' }),
    ]),
    header(X.IKE_SA_INIT, 0, true, [notifyPayload({ notify: 'INVALID_KE_PAYLOAD', dhGroup: 19 })]),
    header(X.IKE_SA_INIT, 0, true, [notifyPayload({ notify: 'NO_PROPOSAL_CHOSEN' })]),
    // IKE_AUTH with CP (mode-cfg, RFC 7296 §2.19).
    header(X.IKE_AUTH, 1, false, [
      skPayload('aes128-sha256', [
        { kind: 'IDi', ...P, id: { kind: 'rfc822', name: 'alice@example.com' } },
        // RFC 7296 §3.6 "Hash and URL of X.509 certificate": a 20-byte SHA-1 hash, then the URL.
        {
          kind: 'CERT',
          ...P,
          encoding: IkeCertEncoding.HASH_URL_X509,
          data: Uint8Array.from([...sampleBytes(20, 21), ...new TextEncoder().encode('http://ca.example/alice.crt')]),
        },
        notifyPayload({ notify: 'INITIAL_CONTACT' }),
        { kind: 'IDr', ...P, id: { kind: 'fqdn', name: 'gw.example.com' } },
        auth(22),
        cpRequestAddressAndDns(),
        childSa('aes128-sha256', 'f7331436'),
        tsPayload('TSi', [tsFullRange()]),
        tsPayload('TSr', [tsFullRange()]),
        notifyPayload({ notify: 'USE_TRANSPORT_MODE' }),
        notifyPayload({ notify: 'ESP_TFC_PADDING_NOT_SUPPORTED' }),
        notifyPayload({ notify: 'NON_FIRST_FRAGMENTS_ALSO' }),
        notifyPayload({ notify: 'MOBIKE_SUPPORTED' }),
      ]),
    ]),
    header(X.IKE_AUTH, 1, true, [
      skPayload('aes256-sha256', [
        { kind: 'IDr', ...P, id: { kind: 'fqdn', name: 'gw.example.com' } },
        auth(31),
        cpReply('10.30.0.1', ['10.30.0.53'], '255.255.255.0'),
        childSa('aes256-sha256', 'd1f40851'),
        tsPayload('TSi', [tsForAddress('10.30.0.1')]),
        tsPayload('TSr', [tsRange('10.30.0.0', '10.30.0.255')]),
      ]),
    ]),
    // IKE_AUTH carrying DHCP (draft-ietf-ipsec-dhcp-over-ike-00 §3, §5).
    header(X.IKE_AUTH, 1, false, [
      skPayload('aes128gcm16', [
        { kind: 'IDi', ...P, id: { kind: 'ipv4', address: '192.0.2.10' } },
        auth(41),
        dhcpPayload(sampleDhcpMessage(1)),
        childSa('aes128gcm16', '0a0b0c0d'),
        tsPayload('TSi', [tsFullRange()]),
        tsPayload('TSr', [tsFullRange()]),
      ]),
    ]),
    header(X.IKE_AUTH, 1, true, [
      skPayload('aes256gcm16', [
        { kind: 'IDr', ...P, id: { kind: 'keyId', data: sampleBytes(8, 51) } },
        auth(52),
        dhcpPayload(sampleDhcpMessage(2, '10.1.0.7')),
      ]),
    ]),
    header(X.IKE_AUTH, 1, true, [
      skPayload('aes128-sha256', [
        notifyPayload({ notify: 'INTERNAL_ADDRESS_FAILURE' }),
        notifyPayload({ notify: 'FAILED_CP_REQUIRED' }),
        notifyPayload({ notify: 'TS_UNACCEPTABLE' }),
        notifyPayload({ notify: 'AUTHENTICATION_FAILED' }),
      ]),
    ]),
    // CREATE_CHILD_SA (RFC 7296 §1.3.3 rekey) with the DHCP renewal of draft-richardson §3.
    header(X.CREATE_CHILD_SA, 2, false, [
      skPayload('aes128-sha256', [
        notifyPayload({ notify: 'REKEY_SA' }, IkeProtocolId.ESP, 'f7331436'),
        childSa('aes128-sha256', 'c0ffee01'),
        { kind: 'Nonce', ...P, data: sampleBytes(32, 61) },
        { kind: 'KE', ...P, dhGroup: 14, data: sampleBytes(256, 62) },
        tsPayload('TSi', [tsForAddress('10.1.0.7')]),
        tsPayload('TSr', [tsFullRange()]),
        dhcpPayload(sampleDhcpMessage(3)),
      ]),
    ]),
    header(X.CREATE_CHILD_SA, 2, true, [
      skPayload('aes128-sha256', [
        childSa('aes128-sha256', 'c0ffee02'),
        { kind: 'Nonce', ...P, data: sampleBytes(32, 71) },
        tsPayload('TSi', [tsForAddress('10.1.0.7')]),
        tsPayload('TSr', [tsFullRange(), { kind: 'raw', tsType: 8, ipProtocol: 0, data: sampleBytes(36, 72) }]),
        dhcpPayload(sampleDhcpMessage(5, '10.1.0.7')),
      ]),
    ]),
    header(X.CREATE_CHILD_SA, 3, true, [
      skPayload('aes128gcm16', [
        notifyPayload({ notify: 'TEMPORARY_FAILURE' }),
        notifyPayload({ notify: 'CHILD_SA_NOT_FOUND' }, IkeProtocolId.ESP, 'c0ffee01'),
      ]),
    ]),
    // INFORMATIONAL (RFC 7296 §1.4): delete a Child SA, delete the IKE SA, liveness check, errors.
    header(X.INFORMATIONAL, 4, false, [
      skPayload('aes128-sha256', [
        { kind: 'D', ...P, protocolId: IkeProtocolId.ESP, spiSize: 4, spis: ['c0ffee01', 'c0ffee02'] },
      ]),
    ]),
    header(X.INFORMATIONAL, 4, true, [
      skPayload('aes128-sha256', [{ kind: 'D', ...P, protocolId: IkeProtocolId.ESP, spiSize: 4, spis: ['f7331436'] }]),
    ]),
    header(X.INFORMATIONAL, 5, false, [
      skPayload('aes256gcm16', [{ kind: 'D', ...P, protocolId: IkeProtocolId.IKE, spiSize: 0, spis: [] }]),
    ]),
    header(X.INFORMATIONAL, 5, true, [skPayload('aes256gcm16', [])]),
    header(
      X.INFORMATIONAL,
      6,
      true,
      [
        skPayload('aes128-sha256', [
          notifyPayload({ notify: 'INVALID_SYNTAX' }),
          notifyPayload({ notify: 'INVALID_MESSAGE_ID', messageId: 9 }),
          notifyPayload({ notify: 'other', notifyType: 16430, data: new Uint8Array(0) }),
          notifyPayload({ notify: 'other', notifyType: 40000, data: sampleBytes(3, 81) }),
        ]),
      ],
      true,
    ),
    // CFG_SET / CFG_ACK with every modelled attribute and a raw one (INTERNAL_IP6_ADDRESS, 17 bytes).
    header(X.INFORMATIONAL, 7, false, [
      skPayload('aes256-sha256', [
        {
          kind: 'CP',
          ...P,
          cfgType: IkeCfgType.CFG_SET,
          attributes: [
            { kind: 'ip4Address', address: '10.1.0.7' },
            { kind: 'ip4Netmask', address: '255.255.255.0' },
            { kind: 'ip4Dns', address: '10.1.0.53' },
            { kind: 'ip4Nbns', address: '10.1.0.54' },
            { kind: 'ip4Dhcp', address: '10.1.0.1' },
            { kind: 'applicationVersion', version: 'dhcpike-lab 0.1' },
            { kind: 'ip4Subnet', subnet: { address: '10.1.0.0', netmask: '255.255.255.0' } },
            { kind: 'supportedAttributes', types: [1, 2, 3, 13] },
            { kind: 'raw', type: 8, data: sampleBytes(17, 91) },
          ],
        },
      ]),
    ]),
    header(X.INFORMATIONAL, 7, true, [
      skPayload('aes256-sha256', [
        {
          kind: 'CP',
          ...P,
          cfgType: IkeCfgType.CFG_ACK,
          attributes: [
            { kind: 'ip4Address', address: null },
            { kind: 'ip4Subnet', subnet: null },
            { kind: 'applicationVersion', version: '' },
          ],
        },
      ]),
    ]),
    // Kept raw: an unnamed exchange type, V flag, an unknown critical payload, a raw ID, a raw DHCP packet type,
    // and an SK that cannot be opened.
    {
      spiI: SPI_I,
      spiR: SPI_R,
      exchangeType: 43,
      initiator: true,
      higherVersion: true,
      response: false,
      messageId: 8,
      payloads: [
        { kind: 'unknown', critical: true, payloadType: 200, data: sampleBytes(5, 101) },
        { kind: 'IDi', ...P, id: { kind: 'raw', idType: 9, data: sampleBytes(12, 102) } },
        { kind: 'DHCP', ...P, packet: { kind: 'raw', packetType: 2, data: sampleBytes(10, 103) } },
        // EAP (RFC 7296 §3.16) is not modelled: an EAP-Request/Identity (RFC 3748 §5.1) kept raw.
        { kind: 'unknown', critical: false, payloadType: 48, data: Uint8Array.of(1, 1, 0, 5, 1) },
        { kind: 'SK-opaque', ...P, firstPayloadType: 41, encrypted: sampleBytes(48, 105) },
      ],
    },
  ];
}
