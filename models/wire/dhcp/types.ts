/**
 * DHCPv4 message values (RFC 2131 §2, figure 1; options RFC 2132). Every field keeps what the wire held so a
 * parsed message re-emits byte-identical: options stay in order, pads are kept, trailing pad after END is counted.
 */

/** IPv4 address as a dotted quad, e.g. `192.0.2.1`. */
export type Ipv4Address = string;

export const DhcpMessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type DhcpMessageTypeName = keyof typeof DhcpMessageType;
export type DhcpMessageTypeCode = (typeof DhcpMessageType)[DhcpMessageTypeName];

/** RFC 3046 §2.0 sub-options, plus RFC 3527 (5), RFC 5107 (11) and RFC 8357 (19). */
export type RelayAgentSubOption =
  | { readonly kind: 'circuitId'; readonly data: Uint8Array } // 1
  | { readonly kind: 'remoteId'; readonly data: Uint8Array } // 2
  | { readonly kind: 'linkSelection'; readonly subnet: Ipv4Address } // 5, RFC 3527 §3
  | { readonly kind: 'serverIdOverride'; readonly serverId: Ipv4Address } // 11, RFC 5107 §4
  | { readonly kind: 'relayPort'; readonly port: number | null } // 19, RFC 8357 §5.1: empty, or a 2-byte port
  | { readonly kind: 'raw'; readonly code: number; readonly data: Uint8Array };

export type DhcpOption =
  | { readonly kind: 'pad' } // 0
  | { readonly kind: 'subnetMask'; readonly mask: Ipv4Address } // 1
  | { readonly kind: 'routers'; readonly addresses: readonly Ipv4Address[] } // 3
  | { readonly kind: 'dnsServers'; readonly addresses: readonly Ipv4Address[] } // 6
  | { readonly kind: 'hostName'; readonly name: string } // 12
  | { readonly kind: 'domainName'; readonly name: string } // 15
  | { readonly kind: 'requestedAddress'; readonly address: Ipv4Address } // 50
  | { readonly kind: 'leaseTime'; readonly secs: number } // 51
  | { readonly kind: 'overload'; readonly value: 1 | 2 | 3 } // 52
  | { readonly kind: 'messageType'; readonly type: DhcpMessageTypeCode } // 53
  | { readonly kind: 'serverId'; readonly address: Ipv4Address } // 54
  | { readonly kind: 'parameterRequestList'; readonly codes: readonly number[] } // 55
  | { readonly kind: 'maxMessageSize'; readonly bytes: number } // 57
  | { readonly kind: 'renewalTime'; readonly secs: number } // 58 (T1)
  | { readonly kind: 'rebindingTime'; readonly secs: number } // 59 (T2)
  | { readonly kind: 'clientId'; readonly type: number; readonly data: Uint8Array } // 61, RFC 2132 §9.14 / RFC 4361
  | { readonly kind: 'relayAgentInfo'; readonly subOptions: readonly RelayAgentSubOption[] } // 82, RFC 3046
  | { readonly kind: 'raw'; readonly code: number; readonly data: Uint8Array }; // anything else, kept as is

export type DhcpOptionKind = DhcpOption['kind'];

/** RFC 2131 §2 figure 1. */
export interface DhcpMessage {
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  readonly op: 1 | 2;
  /** 1 Ethernet; 31 IPsec virtual interface (draft-ietf-ipsec-dhcp-over-ike-00 §4, RFC 3456 §2.1). */
  readonly htype: number;
  readonly hlen: number;
  readonly hops: number;
  /** Unsigned 32-bit. */
  readonly xid: number;
  readonly secs: number;
  /** Bit 15 (0x8000) is BROADCAST (RFC 2131 §2). */
  readonly flags: number;
  readonly ciaddr: Ipv4Address;
  readonly yiaddr: Ipv4Address;
  readonly siaddr: Ipv4Address;
  readonly giaddr: Ipv4Address;
  /** The whole 16-byte field; the hardware address is its first `hlen` bytes. */
  readonly chaddr: Uint8Array;
  /** 64 bytes, as on the wire. */
  readonly sname: Uint8Array;
  /** 128 bytes, as on the wire. */
  readonly file: Uint8Array;
  /** After the magic cookie, in wire order, without the END option (emitted always). */
  readonly options: readonly DhcpOption[];
  /** Zero bytes after END (RFC 2131 §2 minimum BOOTP size padding, as Kea sends). */
  readonly endPaddingBytes: number;
}
