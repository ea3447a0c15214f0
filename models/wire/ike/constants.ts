/**
 * IKEv2 numbers (RFC 7296 §3; IANA "Internet Key Exchange Version 2 (IKEv2) Parameters"). Values stay numbers on
 * the wire and in the value types; these tables name the ones the lab uses and feed the summaries.
 */

/** RFC 7296 §3.1: Exchange Type. Others are kept numeric. */
export const IkeExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
} as const;

/** RFC 7296 §3.2 payload type table. */
export const IkePayloadType = {
  NONE: 0,
  SA: 33,
  KE: 34,
  IDi: 35,
  IDr: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  Nonce: 40,
  N: 41,
  D: 42,
  V: 43,
  TSi: 44,
  TSr: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
} as const;

/**
 * The DHCP payload of draft-ietf-ipsec-dhcp-over-ike-00 §5 has ONE payload type number in the lab, chosen here.
 *
 * The draft (§5) says "The payload type for the DHCP Payload is sixteen (16)". That number was never assigned:
 * RFC 7296 §3.2 (payload type table, IKEv2 registry) lists 33–48 and says "Payload type values 1-32 should not be
 * assigned in the future so that there is no overlap with the code assignments for IKEv1", so an IKEv2 peer cannot
 * expect 16 to mean anything, and a conforming receiver treats it as an unknown payload. IANA's IKEv2 Payload Types
 * registry (created by RFC 4306 §6, referenced by RFC 7296 as [IKEV2IANA]) reserves 128–255 for private use, which is
 * where an unregistered extension belongs (RFC 7296 §3.12: private payloads announced by a Vendor ID). We therefore
 * use 128, the first private-use value; the draft's 16 stays selectable (`dhcpPayloadType: DHCP_PAYLOAD_TYPE_DRAFT`)
 * for reproducing the draft literally.
 */
export const DHCP_PAYLOAD_TYPE_PRIVATE = 128;
/** draft-ietf-ipsec-dhcp-over-ike-00 §5, literally. */
export const DHCP_PAYLOAD_TYPE_DRAFT = 16;
/** The number the codecs use unless told otherwise (`dhcpPayloadType` option). */
export const DEFAULT_DHCP_PAYLOAD_TYPE = DHCP_PAYLOAD_TYPE_PRIVATE;

/** draft-ietf-ipsec-dhcp-over-ike-00 §5: Packet Type. */
export const DhcpPacketType = { RESERVED: 0, DHCPV4: 1 } as const;

/** RFC 7296 §3.3.1: Protocol ID in proposals, Notify and Delete. */
export const IkeProtocolId = { NONE: 0, IKE: 1, AH: 2, ESP: 3 } as const;

/** RFC 7296 §3.3.2: Transform Type. */
export const IkeTransformType = { ENCR: 1, PRF: 2, INTEG: 3, DH: 4, ESN: 5 } as const;

/** RFC 7296 §3.3.5: Key Length attribute type (TV format). */
export const IKE_KEY_LENGTH_ATTRIBUTE = 14;

/** RFC 7296 §3.5: ID Type. */
export const IkeIdType = {
  ID_IPV4_ADDR: 1,
  ID_FQDN: 2,
  ID_RFC822_ADDR: 3,
  ID_IPV6_ADDR: 5,
  ID_DER_ASN1_DN: 9,
  ID_DER_ASN1_GN: 10,
  ID_KEY_ID: 11,
} as const;

/** RFC 7296 §3.6: Certificate Encoding (the few the lab names; others numeric). */
export const IkeCertEncoding = { X509_SIGNATURE: 4, RAW_RSA_KEY: 11, HASH_URL_X509: 12 } as const;

/** RFC 7296 §3.8: Auth Method. RFC 7427 §3 adds Digital Signature (14). */
export const IkeAuthMethod = { RSA_SIGNATURE: 1, SHARED_KEY_MIC: 2, DSS_SIGNATURE: 3, DIGITAL_SIGNATURE: 14 } as const;

/** RFC 7296 §3.13.1: TS Type. */
export const IkeTsType = { TS_IPV4_ADDR_RANGE: 7, TS_IPV6_ADDR_RANGE: 8 } as const;

/** RFC 7296 §3.15: CFG Type. */
export const IkeCfgType = { CFG_REQUEST: 1, CFG_REPLY: 2, CFG_SET: 3, CFG_ACK: 4 } as const;

/** RFC 7296 §3.15.1: Configuration Attribute types. */
export const IkeConfigAttributeType = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
} as const;

/**
 * RFC 7296 §3.10.1 Notify Message Types, plus RFC 4555 (MOBIKE), RFC 5685 (redirect), RFC 6023 (childless),
 * RFC 7383 (fragmentation), RFC 7427 (signature hash), RFC 4739 (multiple auth), RFC 6311 (message ID sync) and
 * RFC 5998 (EAP-only), so the summaries name what real peers send.
 */
export const IkeNotifyType = {
  UNSUPPORTED_CRITICAL_PAYLOAD: 1,
  INVALID_IKE_SPI: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_SYNTAX: 7,
  INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11,
  NO_PROPOSAL_CHOSEN: 14,
  INVALID_KE_PAYLOAD: 17,
  AUTHENTICATION_FAILED: 24,
  SINGLE_PAIR_REQUIRED: 34,
  NO_ADDITIONAL_SAS: 35,
  INTERNAL_ADDRESS_FAILURE: 36,
  FAILED_CP_REQUIRED: 37,
  TS_UNACCEPTABLE: 38,
  INVALID_SELECTORS: 39,
  TEMPORARY_FAILURE: 43,
  CHILD_SA_NOT_FOUND: 44,
  /**
   * draft-ietf-ipsec-dhcp-over-ike-00 §5: "If unknown DHCP Payload packet type is received then UNKNOWN-DHCP-
   * PAYLOAD-TYPE notification MUST be sent back". The draft names it but assigns no number (it has no IANA section):
   * the lab uses 8192, the first of RFC 7296 §3.10.1's private-use error types (8192–16383).
   */
  UNKNOWN_DHCP_PAYLOAD_TYPE: 8192,
  INITIAL_CONTACT: 16384,
  SET_WINDOW_SIZE: 16385,
  ADDITIONAL_TS_POSSIBLE: 16386,
  IPCOMP_SUPPORTED: 16387,
  NAT_DETECTION_SOURCE_IP: 16388,
  NAT_DETECTION_DESTINATION_IP: 16389,
  COOKIE: 16390,
  USE_TRANSPORT_MODE: 16391,
  HTTP_CERT_LOOKUP_SUPPORTED: 16392,
  REKEY_SA: 16393,
  ESP_TFC_PADDING_NOT_SUPPORTED: 16394,
  NON_FIRST_FRAGMENTS_ALSO: 16395,
  MOBIKE_SUPPORTED: 16396,
  ADDITIONAL_IP4_ADDRESS: 16397,
  NO_ADDITIONAL_ADDRESSES: 16399,
  MULTIPLE_AUTH_SUPPORTED: 16404,
  REDIRECT_SUPPORTED: 16406,
  EAP_ONLY_AUTHENTICATION: 16417,
  CHILDLESS_IKEV2_SUPPORTED: 16418,
  IKEV2_MESSAGE_ID_SYNC_SUPPORTED: 16420,
  IKEV2_FRAGMENTATION_SUPPORTED: 16430,
  SIGNATURE_HASH_ALGORITHMS: 16431,
} as const;

function invert(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([name, value]) => [value, name]));
}

const EXCHANGE_NAMES = invert(IkeExchangeType);
const NOTIFY_NAMES = invert(IkeNotifyType);
const CFG_NAMES = invert(IkeCfgType);

/** `IKE_AUTH`, or `EXCHANGE(40)` for an unnamed value. */
export function ikeExchangeName(exchangeType: number): string {
  return EXCHANGE_NAMES.get(exchangeType) ?? `EXCHANGE(${exchangeType})`;
}

/** `INTERNAL_ADDRESS_FAILURE`, or the number as text. */
export function ikeNotifyName(notifyType: number): string {
  return NOTIFY_NAMES.get(notifyType) ?? String(notifyType);
}

export function ikeCfgTypeName(cfgType: number): string {
  return CFG_NAMES.get(cfgType) ?? `CFG(${cfgType})`;
}
