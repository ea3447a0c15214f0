/**
 * The gateway's responses kept as sent (RFC 7296 §2.1): a kept response goes out again as the very datagram, with the
 * first send's summary, and what is kept is the IKE message's own bytes (not a view pinning the shared packet slab).
 */
import { describe, expect, it } from 'vitest';
import { peerConfig } from '../../../../models/ike/config.ts';
import { ikeMessage } from '../../../../models/ike/messages.ts';
import * as ikeInit from '../../../../models/ike/tasks/ike-init.ts';
import { KeepingCodec } from '../../../../models/nodes/gateway/kept-responses.ts';
import { ikeOf, packetCodec, type Packet } from '../../../../models/nodes/lab-packet.ts';
import { IkeExchangeType, type IkeMessage } from '../../../../models/wire/ike/index.ts';
import { createRng } from '../../../../sim/rng.ts';

const GW = '198.51.100.1';
const PEER = '192.0.2.10';

function initResponse(): IkeMessage {
  const cfg = peerConfig({ identity: 'gw@example.com', pskName: 'p' });
  const { payloads } = ikeInit.buildI(cfg, createRng(5), 31);
  return ikeMessage(
    { spiI: '1234000012340000', spiR: 'abcd0000abcd0000', originalInitiator: false, suite: undefined },
    IkeExchangeType.IKE_SA_INIT,
    0,
    true,
    payloads,
  );
}

/** A host's `send` as sim/host.ts does it: encode, and summarise when the trace asks. */
function hostSend(codec: KeepingCodec, summaries: boolean, out: { bytes: Uint8Array; summary: string }[]) {
  return (p: Packet): void => {
    const bytes = codec.encode(p);
    out.push({ bytes, summary: summaries ? codec.summarize(p) : '' });
  };
}

describe('KeepingCodec: a response kept as sent', () => {
  it('goes out again as the same datagram with the same summary', () => {
    const codec = new KeepingCodec(packetCodec);
    const out: { bytes: Uint8Array; summary: string }[] = [];
    const message = initResponse();
    const kept = codec.sendResponse(GW, PEER, message, hostSend(codec, true, out));
    expect([kept.spiI, kept.spiR, kept.messageId]).toEqual(['1234000012340000', 'abcd0000abcd0000', 0]);
    hostSend(codec, true, out)(codec.resendPacket(GW, PEER, kept));
    expect(out).toHaveLength(2);
    expect(Array.from(out[1]?.bytes ?? [])).toEqual(Array.from(out[0]?.bytes ?? []));
    expect(out[0]?.summary.startsWith('IKE_SA_INIT response #0')).toBe(true);
    expect(out[1]?.summary).toBe(out[0]?.summary);
    // The resent datagram still reads as the response (the receiver's view is unchanged).
    const back = packetCodec.decode(out[1]?.bytes ?? new Uint8Array(0));
    expect(back.ok && ikeOf(back.value)?.messageId).toBe(0);
  });

  it('keeps the IKE message’s own bytes, no summary when the trace asks for none', () => {
    const codec = new KeepingCodec(packetCodec);
    const out: { bytes: Uint8Array; summary: string }[] = [];
    const kept = codec.sendResponse(GW, PEER, initResponse(), hostSend(codec, false, out));
    expect(kept.summary).toBeUndefined();
    if (!(kept.sent instanceof Uint8Array)) throw new Error('an encoded response is kept as bytes');
    // IPv4 (20) + UDP (8) headers off; a buffer of its own (an emitted packet is a view into a 64 KB slab).
    expect(kept.sent.length).toBe((out[0]?.bytes.length ?? 0) - 28);
    expect(kept.sent.buffer.byteLength).toBe(kept.sent.length);
  });
});
