import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeSize, countLines, GENERATED_COUNTS, METHOD_MODULES } from '../../scenarios/metrics/code-lines.ts';
import {
  countFromFiles,
  GENERATED_JSON,
  generatedText,
  missingModules,
} from '../../scenarios/metrics/code-lines-node.ts';

describe("the methods' code lines (seed draft §4 'little savings in actual code')", () => {
  it('counts code lines: blank lines, // lines and block comments are not code', () => {
    const src = [
      '/**',
      ' * doc',
      ' */',
      "import { x } from './x.ts';",
      '',
      '  // note',
      'const a = 1; // trailing comment is still code',
      '/* inline */ const b = 2;',
      '/* one line */',
      '/* opens',
      '   closes */ export { a, b };',
      '',
    ].join('\n');
    expect(countLines(src)).toEqual({ lines: 11, code: 4 });
    expect(countLines('')).toEqual({ lines: 0, code: 0 });
  });

  it('the generated JSON the browser reads equals a fresh count of the files (regenerate: code-lines-node.ts --write)', () => {
    // Every registered module exists (a renamed or deleted one is listed here: fix METHOD_MODULES).
    expect(missingModules()).toEqual([]);
    const fresh = countFromFiles();
    expect(GENERATED_COUNTS).toEqual(fresh);
    expect(readFileSync(GENERATED_JSON, 'utf8')).toBe(generatedText(fresh));
  });

  it('every method has client and gateway modules, and a directory stands for every file below it', () => {
    for (const [method, m] of Object.entries(METHOD_MODULES)) {
      expect(codeSize(m.client, GENERATED_COUNTS).files.length, method).toBeGreaterThan(0);
      expect(codeSize(m.gateway, GENERATED_COUNTS).files.length, method).toBeGreaterThan(0);
    }
    const carrier = codeSize(['models/methods/dhcp-carrier/'], GENERATED_COUNTS);
    expect(carrier.files.every((f) => f.startsWith('models/methods/dhcp-carrier/'))).toBe(true);
    expect(carrier.code).toBe(carrier.files.reduce((a, f) => a + (GENERATED_COUNTS[f]?.code ?? 0), 0));
    // A name prefix stands for the files it starts in its directory: rfc3456/client is client*.ts, not relay.ts.
    expect(codeSize(['models/methods/rfc3456/client'], GENERATED_COUNTS).files).toEqual([
      'models/methods/rfc3456/client-machine.ts',
      'models/methods/rfc3456/client.ts',
    ]);
    // A file named twice (an entry module and its directory) counts once.
    expect(codeSize(['models/methods/mode-cfg.ts', 'models/methods/mode-cfg.ts'], GENERATED_COUNTS).files).toEqual([
      'models/methods/mode-cfg.ts',
    ]);
  });
});
