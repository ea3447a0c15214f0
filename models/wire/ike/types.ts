/**
 * IKEv2 message values (RFC 7296 §3). Values hold what the wire holds except fields derived from the rest (lengths,
 * counts, Next Payload / last-substructure chaining, reserved bits), which the emitters compute. Reserved fields are
 * written as zero and ignored on receipt (RFC 7296 §3.2 "MUST be sent as zero; MUST be ignored on receipt").
 *
 * SPIs are lower-case hex strings (IKE SPIs: 16 digits, e.g. `76075223bbe2805f`): they deep-equal after a round trip,
 * serialise into JSON traces as they are, and read like Wireshark's display. A bigint would do neither.
 */
import type { CipherSuiteName } from '../crypto-suite.ts';
import type { DhcpMessage, Ipv4Address } from '../dhcp/types.ts';

/** Lower-case hex, two digits per byte; `''` for a zero-size SPI. */
export type IkeSpi = string;

interface PayloadBase {
  /** RFC 7296 §3.2 critical bit, kept as received. */
  readonly critical: boolean;
}

// ---- SA (RFC 7296 §3.3) ----

/** RFC 7296 §3.3.5: AF=1 is Type/Value (2-byte value, e.g. Key Length), AF=0 is Type/Length/Value. */
export type IkeTransformAttribute =
  | { readonly kind: 'tv'; readonly type: number; readonly value: number }
  | { readonly kind: 'tlv'; readonly type: number; readonly data: Uint8Array };

/** RFC 7296 §3.3.2. */
export interface IkeTransform {
  /** IkeTransformType: 1 ENCR, 2 PRF, 3 INTEG, 4 DH, 5 ESN. */
  readonly type: number;
  readonly id: number;
  readonly attributes: readonly IkeTransformAttribute[];
}

/** RFC 7296 §3.3.1. */
export interface IkeProposal {
  readonly number: number;
  /** IkeProtocolId: 1 IKE, 2 AH, 3 ESP. */
  readonly protocolId: number;
  /** Hex; `''` in an initial IKE SA proposal, 4 bytes for ESP/AH, 8 bytes when rekeying an IKE SA. */
  readonly spi: IkeSpi;
  readonly transforms: readonly IkeTransform[];
}

export interface IkeSaPayload extends PayloadBase {
  readonly kind: 'SA';
  readonly proposals: readonly IkeProposal[];
}

// ---- KE, IDi/IDr, CERT/CERTREQ, AUTH, Nonce, V (RFC 7296 §3.4–3.9, §3.12) ----

export interface IkeKePayload extends PayloadBase {
  readonly kind: 'KE';
  /** Diffie-Hellman Group Num (Transform Type 4 id). */
  readonly dhGroup: number;
  readonly data: Uint8Array;
}

/** RFC 7296 §3.5. FQDN and RFC 822 names are read byte-per-character (latin1), so any bytes round-trip. */
export type IkeIdentity =
  | { readonly kind: 'ipv4'; readonly address: Ipv4Address } // ID_IPV4_ADDR 1
  | { readonly kind: 'fqdn'; readonly name: string } // ID_FQDN 2
  | { readonly kind: 'rfc822'; readonly name: string } // ID_RFC822_ADDR 3
  | { readonly kind: 'keyId'; readonly data: Uint8Array } // ID_KEY_ID 11
  /** Any other ID type, and ID_IPV4_ADDR whose data is not 4 bytes. */
  | { readonly kind: 'raw'; readonly idType: number; readonly data: Uint8Array };

export interface IkeIdPayload extends PayloadBase {
  readonly kind: 'IDi' | 'IDr';
  readonly id: IkeIdentity;
}

/** RFC 7296 §3.6 / §3.7: the data is kept raw, typed by its encoding. */
export interface IkeCertPayload extends PayloadBase {
  readonly kind: 'CERT' | 'CERTREQ';
  /** IkeCertEncoding. */
  readonly encoding: number;
  readonly data: Uint8Array;
}

export interface IkeAuthPayload extends PayloadBase {
  readonly kind: 'AUTH';
  /** IkeAuthMethod. */
  readonly method: number;
  readonly data: Uint8Array;
}

export interface IkeNoncePayload extends PayloadBase {
  readonly kind: 'Nonce';
  readonly data: Uint8Array;
}

export interface IkeVendorIdPayload extends PayloadBase {
  readonly kind: 'V';
  readonly data: Uint8Array;
}

// ---- Notify (RFC 7296 §3.10) ----

/**
 * Named notify types whose Notification Data is empty (RFC 7296 §3.10.1; INVALID_IKE_SPI: §1.5 "with no notification
 * data"; MOBIKE_SUPPORTED: RFC 4555; CHILDLESS_IKEV2_SUPPORTED: RFC 6023).
 */
export const IKE_NOTIFY_NAMES_WITHOUT_DATA = [
  'INVALID_IKE_SPI',
  'INVALID_SYNTAX',
  'NO_PROPOSAL_CHOSEN',
  'AUTHENTICATION_FAILED',
  'INTERNAL_ADDRESS_FAILURE',
  'FAILED_CP_REQUIRED',
  'TS_UNACCEPTABLE',
  'TEMPORARY_FAILURE',
  'CHILD_SA_NOT_FOUND',
  'UNKNOWN_DHCP_PAYLOAD_TYPE',
  'INITIAL_CONTACT',
  'USE_TRANSPORT_MODE',
  'REKEY_SA',
  'ESP_TFC_PADDING_NOT_SUPPORTED',
  'NON_FIRST_FRAGMENTS_ALSO',
  'MOBIKE_SUPPORTED',
  'CHILDLESS_IKEV2_SUPPORTED',
] as const;
export type IkeNotifyNameWithoutData = (typeof IKE_NOTIFY_NAMES_WITHOUT_DATA)[number];

/**
 * The typed part of a Notify. A named type is used only when its data has the expected shape; anything else
 * (another type, or a named type with unexpected data) is `other`, so every Notify re-emits byte-identical.
 */
export type IkeNotification =
  | { readonly notify: IkeNotifyNameWithoutData }
  /** RFC 7296 §3.10.1: data is the accepted DH group (2 bytes). */
  | { readonly notify: 'INVALID_KE_PAYLOAD'; readonly dhGroup: number }
  /** RFC 7296 §3.10.1: data is the 4-byte invalid message ID. */
  | { readonly notify: 'INVALID_MESSAGE_ID'; readonly messageId: number }
  /** RFC 7296 §2.23: SHA-1 of SPIs, address and port (20 bytes from real peers; any length kept). */
  | { readonly notify: 'NAT_DETECTION_SOURCE_IP' | 'NAT_DETECTION_DESTINATION_IP'; readonly hash: Uint8Array }
  /** RFC 7427 §4: a list of 2-byte hash algorithm identifiers. */
  | { readonly notify: 'SIGNATURE_HASH_ALGORITHMS'; readonly algorithms: readonly number[] }
  | { readonly notify: 'other'; readonly notifyType: number; readonly data: Uint8Array };

export type IkeNotifyPayload = PayloadBase & {
  readonly kind: 'N';
  /** IkeProtocolId; 0 when the notify is not about an SA. */
  readonly protocolId: number;
  /** Hex; `''` when SPI Size is 0. */
  readonly spi: IkeSpi;
} & IkeNotification;

// ---- Delete (RFC 7296 §3.11) ----

export interface IkeDeletePayload extends PayloadBase {
  readonly kind: 'D';
  readonly protocolId: number;
  /** 0 for the IKE SA, 4 for ESP/AH; kept because it is on the wire even when the SPI list is empty. */
  readonly spiSize: number;
  readonly spis: readonly IkeSpi[];
}

// ---- TSi/TSr (RFC 7296 §3.13) ----

export type IkeTrafficSelector =
  | {
      readonly kind: 'ipv4Range'; // TS_IPV4_ADDR_RANGE 7
      /** 0 = any protocol. */
      readonly ipProtocol: number;
      readonly startPort: number;
      readonly endPort: number;
      readonly startAddress: Ipv4Address;
      readonly endAddress: Ipv4Address;
    }
  /** Other TS types, and TS_IPV4_ADDR_RANGE whose selector length is not 16; `data` follows the 4-byte header. */
  | { readonly kind: 'raw'; readonly tsType: number; readonly ipProtocol: number; readonly data: Uint8Array };

export interface IkeTsPayload extends PayloadBase {
  readonly kind: 'TSi' | 'TSr';
  readonly selectors: readonly IkeTrafficSelector[];
}

// ---- CP (RFC 7296 §3.15) ----

export type IkeConfigAddressKind = 'ip4Address' | 'ip4Netmask' | 'ip4Dns' | 'ip4Nbns' | 'ip4Dhcp';

/**
 * RFC 7296 §3.15.1. `null` values are the zero-length attributes a CFG_REQUEST carries ("give me one").
 * A known type whose length does not fit its format is kept `raw`.
 */
export type IkeConfigAttribute =
  | { readonly kind: IkeConfigAddressKind; readonly address: Ipv4Address | null } // 1, 2, 3, 4, 6
  | { readonly kind: 'applicationVersion'; readonly version: string } // 7, latin1
  | {
      readonly kind: 'ip4Subnet';
      readonly subnet: { readonly address: Ipv4Address; readonly netmask: Ipv4Address } | null;
    } // 13
  | { readonly kind: 'supportedAttributes'; readonly types: readonly number[] } // 14
  | { readonly kind: 'raw'; readonly type: number; readonly data: Uint8Array };

export interface IkeCpPayload extends PayloadBase {
  readonly kind: 'CP';
  /** IkeCfgType: 1 CFG_REQUEST, 2 CFG_REPLY, 3 CFG_SET, 4 CFG_ACK. */
  readonly cfgType: number;
  readonly attributes: readonly IkeConfigAttribute[];
}

// ---- DHCP (draft-ietf-ipsec-dhcp-over-ike-00 §5) ----

export type IkeDhcpPacket =
  | { readonly kind: 'dhcpv4'; readonly message: DhcpMessage } // Packet Type 1
  | { readonly kind: 'raw'; readonly packetType: number; readonly data: Uint8Array };

export interface IkeDhcpPayload extends PayloadBase {
  readonly kind: 'DHCP';
  readonly packet: IkeDhcpPacket;
}

// ---- SK (RFC 7296 §3.14) ----

/** An SK payload whose contents are readable (opened with a crypto context, or about to be sealed). */
export interface IkeSkPayload extends PayloadBase {
  readonly kind: 'SK';
  /** The suite that sizes IV, padding and ICV. */
  readonly suite: CipherSuiteName;
  readonly payloads: readonly IkePayload[];
  /** Only when the received padding differs from the default (minimal, zeros); kept so it re-emits identical. */
  readonly padding?: Uint8Array;
}

/** An SK payload that could not be opened (no crypto context, or the integrity check failed): kept as bytes. */
export interface IkeSkOpaquePayload extends PayloadBase {
  readonly kind: 'SK-opaque';
  /** The SK header's Next Payload: the type of the first inner payload (RFC 7296 §3.2). */
  readonly firstPayloadType: number;
  /** IV ‖ encrypted payloads ‖ ICV, as on the wire. */
  readonly encrypted: Uint8Array;
}

/** A payload type the codec does not model (EAP, private types, …), kept raw and emitted back unchanged. */
export interface IkeUnknownPayload extends PayloadBase {
  readonly kind: 'unknown';
  readonly payloadType: number;
  readonly data: Uint8Array;
}

export type IkePayload =
  | IkeSaPayload
  | IkeKePayload
  | IkeIdPayload
  | IkeCertPayload
  | IkeAuthPayload
  | IkeNoncePayload
  | IkeNotifyPayload
  | IkeDeletePayload
  | IkeVendorIdPayload
  | IkeTsPayload
  | IkeSkPayload
  | IkeSkOpaquePayload
  | IkeCpPayload
  | IkeDhcpPayload
  | IkeUnknownPayload;

export type IkePayloadKind = IkePayload['kind'];

/** RFC 7296 §3.1. Version is always 2.0 (parse rejects another major version; use parseIkeHeader to read it). */
export interface IkeMessage {
  readonly spiI: IkeSpi;
  readonly spiR: IkeSpi;
  /** IkeExchangeType; unnamed values kept numeric. */
  readonly exchangeType: number;
  /** Flag I (bit 3): sent by the original initiator of the IKE SA. */
  readonly initiator: boolean;
  /** Flag V (bit 4): the sender can speak a higher major version. */
  readonly higherVersion: boolean;
  /** Flag R (bit 5): this message is a response. */
  readonly response: boolean;
  /** Unsigned 32-bit. */
  readonly messageId: number;
  readonly payloads: readonly IkePayload[];
}
