/** What the capture readers give: one IPv4 datagram per packet record, with its time in integer microseconds. */

/** LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) the readers understand. */
export const LinkType = {
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  LINUX_SLL2: 276,
} as const;

export interface CapturedPacket {
  /** 0-based index among the file's packet records (what `decode` prints, +1 like Wireshark's frame number). */
  readonly index: number;
  /** Integer microseconds since the epoch (a Number is exact until the year 2255). */
  readonly timestampUs: number;
  readonly linkType: number;
  /** The IPv4 datagram, trimmed to its Total Length (link-layer padding removed). */
  readonly ipv4Bytes: Uint8Array;
}

/** A packet record that holds no IPv4 datagram (ARP, IPv6, an unsupported link type): listed, not an error. */
export interface SkippedRecord {
  readonly index: number;
  readonly reason: string;
}

export interface Capture {
  readonly format: 'pcap' | 'pcapng';
  readonly packets: readonly CapturedPacket[];
  readonly skipped: readonly SkippedRecord[];
}
