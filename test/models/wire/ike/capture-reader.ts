/**
 * A tiny reader for the test captures (until the pcap reader of models/wire/pcap is used here): pcapng (Section
 * Header, Interface Description, Enhanced Packet blocks) or classic pcap, Linux cooked (SLL, linktype 113) or
 * Ethernet (1) link layers, IPv4 + UDP. Returns the UDP datagrams with ports; tests only, throws on surprises.
 */
export interface CapturedDatagram {
  readonly frame: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

function frames(file: Uint8Array): { linkType: number; data: Uint8Array }[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: { linkType: number; data: Uint8Array }[] = [];
  if (view.getUint32(0, false) === 0x0a0d0d0a) {
    const little = view.getUint32(8, true) === 0x1a2b3c4d;
    const linkTypes: number[] = [];
    let at = 0;
    while (at + 12 <= file.length) {
      const type = view.getUint32(at, little);
      const length = view.getUint32(at + 4, little);
      if (type === 1) linkTypes.push(view.getUint16(at + 8, little));
      if (type === 6) {
        const iface = view.getUint32(at + 8, little);
        const captured = view.getUint32(at + 20, little);
        out.push({ linkType: linkTypes[iface] ?? -1, data: file.slice(at + 28, at + 28 + captured) });
      }
      at += length;
    }
    return out;
  }
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const linkType = view.getUint32(20, little);
  let at = 24;
  while (at + 16 <= file.length) {
    const captured = view.getUint32(at + 8, little);
    out.push({ linkType, data: file.slice(at + 16, at + 16 + captured) });
    at += 16 + captured;
  }
  return out;
}

export function udpDatagrams(file: Uint8Array): CapturedDatagram[] {
  const out: CapturedDatagram[] = [];
  frames(file).forEach((f, i) => {
    const l2 = f.linkType === 113 ? 16 : f.linkType === 1 ? 14 : -1;
    if (l2 < 0) throw new Error(`frame ${i + 1}: link type ${f.linkType} not handled`);
    const ip = f.data.subarray(l2);
    if ((ip[0] ?? 0) >> 4 !== 4 || ip[9] !== 17) return; // IPv4 + UDP only (ESP frames are skipped)
    const ihl = ((ip[0] ?? 0) & 0x0f) * 4;
    const udp = ip.subarray(ihl);
    const udpLength = ((udp[4] ?? 0) << 8) | (udp[5] ?? 0);
    out.push({
      frame: i + 1,
      srcPort: ((udp[0] ?? 0) << 8) | (udp[1] ?? 0),
      dstPort: ((udp[2] ?? 0) << 8) | (udp[3] ?? 0),
      payload: udp.slice(8, udpLength),
    });
  });
  return out;
}
