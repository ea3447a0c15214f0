import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex, traceSha256 } from '../../sim/trace-hash.ts';
import { toJsonl } from '../../sim/trace-jsonl.ts';
import type { TraceEvent } from '../../sim/trace.ts';

const nodeSha = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

describe('SHA-256 (plain TypeScript)', () => {
  it('matches the FIPS 180-2 vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const million = new Sha256();
    const chunk = 'a'.repeat(1000);
    for (let i = 0; i < 1000; i++) million.update(chunk);
    expect(million.digestHex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('equals node:crypto for every length 0..300, fed whole and in odd chunks', () => {
    for (let len = 0; len <= 300; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len * 7) & 0xff);
      expect(sha256Hex(bytes)).toBe(nodeSha(bytes));
      const h = new Sha256();
      for (let i = 0; i < len; i += 13) h.update(bytes.subarray(i, Math.min(len, i + 13)));
      expect(h.digestHex()).toBe(nodeSha(bytes));
    }
    expect(sha256Hex('link:client1→gw:loss ✓')).toBe(nodeSha('link:client1→gw:loss ✓'));
  });

  it('traceSha256 is the digest of the canonical JSONL text', () => {
    const events: TraceEvent[] = [
      { type: 'timer', atUs: 5, node: 'a', name: 'tick' },
      { type: 'note', atUs: 6, node: 'a', text: 'hello' },
    ];
    expect(traceSha256(events)).toBe(nodeSha(toJsonl(events)));
    expect(traceSha256([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
