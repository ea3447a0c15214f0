/**
 * Node-only parts of scenarios/: reading scenario files from disk. Importing this module installs the file reader
 * into load.ts, so `loadScenario('path/to/file.json')` (and runScenario, compare, sweep given a path) work in Node.
 * The browser entry (browser.ts) never imports this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setScenarioFileReader, type ScenarioFileReader } from './load.ts';
import { foundText } from './problems.ts';

/** Where the library's JSON files live (for tools that list or copy them). */
export const LIBRARY_DIR = fileURLToPath(new URL('./library/', import.meta.url));
export const CLAIMS_DIR = fileURLToPath(new URL('./claims/', import.meta.url));

export const readScenarioFile: ScenarioFileReader = (path) => {
  if (!existsSync(path))
    return { raw: undefined, problems: [{ path: '', expected: 'a readable file', found: foundText(path) }] };
  try {
    return { raw: JSON.parse(readFileSync(path, 'utf8')), problems: [] };
  } catch (e) {
    return {
      raw: undefined,
      problems: [{ path: '', expected: 'JSON', found: e instanceof Error ? e.message : String(e) }],
    };
  }
};

setScenarioFileReader(readScenarioFile);
