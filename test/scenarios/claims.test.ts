import { describe, expect, it } from 'vitest';
import { evaluateClaims, loadClaims } from '../../scenarios/claims.ts';
import { isRegistered } from '../../scenarios/method-registry.ts';

describe("the seed draft's claims", () => {
  it('has one experiment per claim of §3 and §4', () => {
    const claims = loadClaims();
    expect(claims.map((c) => c.section).filter((s) => s === '§3').length).toBe(6);
    expect(claims.map((c) => c.section).filter((s) => s === '§4').length).toBe(6);
    expect(new Set(claims.map((c) => c.id)).size).toBe(claims.length);
  });

  it('never gives a verdict for a claim whose methods are not registered', () => {
    for (const r of evaluateClaims()) {
      const missing = r.methods.filter((m) => !isRegistered(m));
      if (missing.length > 0) {
        expect(r.verdict).toBe('not-run');
        expect(r.reason).toBe(`method(s) not registered yet: ${missing.join(', ')}`);
        expect(r.figures).toEqual([]);
      } else {
        expect(['supported', 'refuted', 'depends', 'not-run']).toContain(r.verdict);
      }
    }
  });
});
