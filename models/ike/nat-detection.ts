/**
 * NAT detection (RFC 7296 §2.23): IKE_SA_INIT request and response carry NAT_DETECTION_SOURCE_IP and
 * NAT_DETECTION_DESTINATION_IP, each SHA-1(SPIi | SPIr | IP address | port) over the SPIs as they appear in the
 * message's header (SPIr zero in the request) and the addresses and ports the sender puts on the packet. The receiver
 * hashes what the packet actually arrived with: a source hash that matches none says the other side is behind a
 * NAT, a destination hash that does not match says we are. The lab has no NAT, so a mismatch is only traced (the
 * switch to UDP 4500 is not modelled).
 */
import { findPayloads, type IkeMessage, type IkeNotifyPayload, type IkePayload } from '../wire/ike/index.ts';
import { ipv4ToU32 } from '../wire/ipv4-address.ts';
import { fromHex, writeHexDigits } from '../wire/bytes.ts';
import { sha1, sha1Into } from '../wire/sha1.ts';
import { smallBytes } from '../wire/small-bytes.ts';

/** One end of the IKE packet: IPv4 address and UDP port. */
export interface IkeEndpoint {
  readonly address: string;
  readonly port: number;
}

/** The packet's two ends, as the sender addresses it (or the receiver sees it). */
export interface IkeEndpoints {
  readonly local: IkeEndpoint;
  readonly remote: IkeEndpoint;
}

/** SPIi | SPIr | IP | Port: 22 bytes, one buffer reused by every hash (hashing is synchronous and one-shot). */
const hashInput = new Uint8Array(22);
/** Digests computed only to be compared (`natDetectionResult`), never kept. */
const peerDigest = new Uint8Array(20);
const selfDigest = new Uint8Array(20);

/** Writes an SPI as its 8 header bytes (RFC 7296 §3.1); hex shorter than 16 digits is zero-padded on the left. */
function writeSpi(spi: string, at: number): void {
  if (spi.length === 16 && writeHexDigits(hashInput, at, spi) === 8) return;
  hashInput.set(fromHex(spi.padStart(16, '0')), at);
}

/** The hash input for `e` (see `natDetectionHash`), in `hashInput`. */
function hashInputOf(spiI: string, spiR: string, e: IkeEndpoint): Uint8Array {
  const data = hashInput;
  writeSpi(spiI, 0);
  writeSpi(spiR, 8);
  const a = ipv4ToU32(e.address);
  data[16] = a >>> 24;
  data[17] = (a >>> 16) & 0xff;
  data[18] = (a >>> 8) & 0xff;
  data[19] = a & 0xff;
  data[20] = (e.port >>> 8) & 0xff;
  data[21] = e.port & 0xff;
  return data;
}

/** RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP | Port), SPIs 8 bytes each, the IPv4 address 4 bytes, the port 2 bytes. */
export function natDetectionHash(spiI: string, spiR: string, e: IkeEndpoint): Uint8Array {
  return sha1(hashInputOf(spiI, spiR, e));
}

/**
 * The two notifies, in strongSwan's order (after SA, KE, Nonce: the captures). The digests go straight into views of
 * a shared slab (small-bytes.ts): they live as long as the IKE_SA_INIT message, one exchange.
 */
export function natDetectionPayloads(spiI: string, spiR: string, ends: IkeEndpoints): IkePayload[] {
  return [
    natDetectionNotify('NAT_DETECTION_SOURCE_IP', sha1Into(hashInputOf(spiI, spiR, ends.local), smallBytes(20))),
    natDetectionNotify('NAT_DETECTION_DESTINATION_IP', sha1Into(hashInputOf(spiI, spiR, ends.remote), smallBytes(20))),
  ];
}

/** `notifyPayload({ notify, hash })` built as one object (no spread of a temporary). */
function natDetectionNotify(
  notify: 'NAT_DETECTION_SOURCE_IP' | 'NAT_DETECTION_DESTINATION_IP',
  hash: Uint8Array,
): IkeNotifyPayload {
  return { kind: 'N', critical: false, protocolId: 0, spi: '', notify, hash };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What the received IKE_SA_INIT's NAT-D says, checked against the ends the packet arrived with (`ends.local` = us,
 * `ends.remote` = the sender): undefined when it carries none (NAT detection not supported, RFC 7296 §2.23).
 */
export function natDetectionResult(
  m: IkeMessage,
  ends: IkeEndpoints,
): { readonly peerBehindNat: boolean; readonly selfBehindNat: boolean } | undefined {
  const ns = findPayloads(m, 'N');
  const destination = ns.find((n) => n.notify === 'NAT_DETECTION_DESTINATION_IP');
  if (destination?.notify !== 'NAT_DETECTION_DESTINATION_IP') return undefined;
  // The digests go to two reused buffers: they are compared here and never kept.
  const peer = sha1Into(hashInputOf(m.spiI, m.spiR, ends.remote), peerDigest);
  let sources = 0;
  let peerMatched = false;
  for (const n of ns) {
    if (n.notify !== 'NAT_DETECTION_SOURCE_IP') continue;
    sources++;
    if (!peerMatched && same(n.hash, peer)) peerMatched = true;
  }
  if (sources === 0) return undefined;
  const self = sha1Into(hashInputOf(m.spiI, m.spiR, ends.local), selfDigest);
  return { peerBehindNat: !peerMatched, selfBehindNat: !same(destination.hash, self) };
}
