/**
 * SHA-1 (FIPS 180-4 §6.1) in plain TypeScript with 32-bit integer operations, for the one place IKEv2 needs it:
 * the NAT_DETECTION_*_IP notification data (RFC 7296 §2.23). Deterministic and the same in Node and the browser (no
 * node:crypto, no SubtleCrypto, which is async). One-shot: the inputs are 22 bytes.
 */

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/**
 * The message schedule and the padded input, reused by every call (one-shot and synchronous, so never shared by two
 * calls at once): a fresh 320-byte Int32Array per hash was an off-heap backing store each, per NAT_DETECTION payload.
 */
const W = new Int32Array(80);
let padded = new Uint8Array(128);

export function sha1(data: Uint8Array): Uint8Array {
  return sha1Into(data, new Uint8Array(20));
}

/** SHA-1 of `data` written into `out[0..20)` (a caller that only compares digests reuses one buffer); returns `out`. */
export function sha1Into(data: Uint8Array, out: Uint8Array): Uint8Array {
  // §5.1.1 padding: 0x80, zeros, the bit length as a 64-bit big-endian integer (inputs here are far below 2^32 bits).
  const blocks = Math.ceil((data.length + 9) / 64);
  const end = blocks * 64;
  if (padded.length < end) padded = new Uint8Array(end);
  const m = padded;
  m.set(data);
  m.fill(0, data.length, end);
  m[data.length] = 0x80;
  const bits = data.length * 8;
  m[end - 4] = (bits >>> 24) & 0xff;
  m[end - 3] = (bits >>> 16) & 0xff;
  m[end - 2] = (bits >>> 8) & 0xff;
  m[end - 1] = bits & 0xff;
  m[end - 5] = Math.floor(bits / 0x1_0000_0000) & 0xff;

  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = W;
  for (let b = 0; b < blocks; b++) {
    const o = b * 64;
    for (let t = 0; t < 16; t++) {
      const i = o + 4 * t;
      w[t] = ((m[i] ?? 0) << 24) | ((m[i + 1] ?? 0) << 16) | ((m[i + 2] ?? 0) << 8) | (m[i + 3] ?? 0);
    }
    for (let t = 16; t < 80; t++) {
      w[t] = rotl((w[t - 3] ?? 0) ^ (w[t - 8] ?? 0) ^ (w[t - 14] ?? 0) ^ (w[t - 16] ?? 0), 1);
    }
    let a = h0;
    let bb = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (bb & c) | (~bb & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = bb ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (bb & c) | (bb & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = bb ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (rotl(a, 5) + f + e + k + (w[t] ?? 0)) | 0;
      e = d;
      d = c;
      c = rotl(bb, 30);
      bb = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  writeWord(out, 0, h0);
  writeWord(out, 4, h1);
  writeWord(out, 8, h2);
  writeWord(out, 12, h3);
  writeWord(out, 16, h4);
  return out;
}

function writeWord(out: Uint8Array, at: number, h: number): void {
  out[at] = (h >>> 24) & 0xff;
  out[at + 1] = (h >>> 16) & 0xff;
  out[at + 2] = (h >>> 8) & 0xff;
  out[at + 3] = h & 0xff;
}
