/** From a link-layer frame to the IPv4 datagram inside it. */
import { readU16 } from '../bytes.ts';
import { LinkType } from './types.ts';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad
/** At most this many stacked VLAN tags are skipped. */
const MAX_VLAN_TAGS = 4;

export type LinkResult =
  { readonly ok: true; readonly ipv4: Uint8Array } | { readonly ok: false; readonly reason: string };

function ipv4At(frame: Uint8Array, start: number): LinkResult {
  if (frame.length <= start) return { ok: false, reason: 'no network-layer bytes' };
  const version = (frame[start] ?? 0) >>> 4;
  if (version !== 4) return { ok: false, reason: `IP version ${version}, not IPv4` };
  let end = frame.length;
  // Trim link-layer padding (Ethernet's 60-byte minimum) when Total Length is readable and smaller.
  if (frame.length - start >= 4) {
    const totalLength = readU16(frame, start + 2);
    if (totalLength >= 20 && totalLength < frame.length - start) end = start + totalLength;
  }
  return { ok: true, ipv4: frame.slice(start, end) };
}

function ethertypeToIpv4(frame: Uint8Array, ethertype: number, next: number): LinkResult {
  if (ethertype !== ETHERTYPE_IPV4)
    return { ok: false, reason: `ethertype 0x${ethertype.toString(16).padStart(4, '0')}, not IPv4` };
  return ipv4At(frame, next);
}

/** The IPv4 datagram of a frame of `linkType`, or why there is none. */
export function ipv4FromFrame(linkType: number, frame: Uint8Array): LinkResult {
  switch (linkType) {
    case LinkType.RAW:
    case LinkType.IPV4:
      return ipv4At(frame, 0);
    case LinkType.ETHERNET: {
      if (frame.length < 14) return { ok: false, reason: `Ethernet frame of ${frame.length} bytes` };
      let at = 12;
      let ethertype = readU16(frame, at);
      for (
        let tags = 0;
        (ethertype === ETHERTYPE_VLAN || ethertype === ETHERTYPE_QINQ) && tags < MAX_VLAN_TAGS;
        tags++
      ) {
        at += 4;
        if (frame.length < at + 2) return { ok: false, reason: 'truncated VLAN tag' };
        ethertype = readU16(frame, at);
      }
      return ethertypeToIpv4(frame, ethertype, at + 2);
    }
    case LinkType.LINUX_SLL:
      // 16-byte header; protocol type at 14 (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html).
      if (frame.length < 16) return { ok: false, reason: `SLL frame of ${frame.length} bytes` };
      return ethertypeToIpv4(frame, readU16(frame, 14), 16);
    case LinkType.LINUX_SLL2:
      // 20-byte header; protocol type first (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html).
      if (frame.length < 20) return { ok: false, reason: `SLL2 frame of ${frame.length} bytes` };
      return ethertypeToIpv4(frame, readU16(frame, 0), 20);
    default:
      return { ok: false, reason: `link type ${linkType} is not supported` };
  }
}
