/** node:crypto's SHA-256, installed by scenarios/node.ts for trace digests, gives exactly the digests of sim's own. */
import { afterEach, describe, expect, it } from 'vitest';
import { nativeTextHasher } from '../../scenarios/node.ts';
import { runScenario } from '../../scenarios/run.ts';
import { Sha256, setTextHasherFactory } from '../../sim/trace-hash.ts';
import { toJsonl } from '../../sim/trace-jsonl.ts';

afterEach(() => setTextHasherFactory(nativeTextHasher));

describe('the native trace hasher', () => {
  it('hashes text, in any chunking and with non-ASCII, as sim/trace-hash.ts does', () => {
    const text = toJsonl(runScenario('basic', { method: 'dhcp-over-ike' }).trace) + 'client1 → gw ✓ 😀\n';
    for (const chunk of [1, 7, 64, 1000, text.length]) {
      const js = new Sha256();
      const native = nativeTextHasher();
      for (let i = 0; i < text.length; i += chunk) {
        js.update(text.slice(i, i + chunk));
        native.update(text.slice(i, i + chunk));
      }
      expect(native.digestHex()).toBe(js.digestHex());
    }
  });

  it('gives a run the same digest as the pure TypeScript SHA-256', () => {
    const native = runScenario('lossy', { method: 'dhcp-over-ike', keepTrace: false });
    setTextHasherFactory(undefined);
    const js = runScenario('lossy', { method: 'dhcp-over-ike', keepTrace: false });
    expect(native.traceSha256).toBe(js.traceSha256);
  });
});
