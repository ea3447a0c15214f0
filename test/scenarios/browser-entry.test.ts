import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIM_DOCUMENTS, LIBRARY_DOCUMENTS } from '../../scenarios/browser.ts';

/** Every module reachable from `entry` through static relative imports (type-only imports excluded). */
function importGraph(entry: string): { files: string[]; bare: Set<string> } {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const todo = [resolve(entry)];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const spec = (m[1] ?? m[2]) as string;
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  }
  return { files: [...seen], bare };
}

describe('scenarios/browser.ts', () => {
  it('imports nothing from node: (directly or through any module it reaches)', () => {
    const { files, bare } = importGraph('scenarios/browser.ts');
    expect(files.length).toBeGreaterThan(20);
    // The browser-safe packages: zod, xstate and the @noble crypto (no node: inside them; the browser build uses them).
    expect(
      [...bare].filter((s) => s.startsWith('node:') || !/^(zod|xstate|@noble\/(ciphers|hashes|curves))(\/|$)/.test(s)),
    ).toEqual([]);
    expect([...bare].some((s) => s.startsWith('@noble/'))).toBe(true);
    expect(files.some((f) => f.endsWith('scenarios/node.ts') || f.endsWith('scenarios/sweep.ts'))).toBe(false);
  });

  it('the data modules list exactly the JSON files of library/ and claims/', () => {
    const names = (dir: string): string[] =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .sort();
    expect(Object.keys(LIBRARY_DOCUMENTS).sort()).toEqual(names('scenarios/library'));
    expect(Object.keys(CLAIM_DOCUMENTS).sort()).toEqual(names('scenarios/claims'));
    expect(LIBRARY_DOCUMENTS['basic']).toEqual(JSON.parse(readFileSync('scenarios/library/basic.json', 'utf8')));
  });
});
