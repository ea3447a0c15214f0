/** A saved failing run: enough to re-run it and check the trace digest (`dhcpike replay FILE`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PolicyValue } from '../../models/methods/policy.ts';

export interface FailureRecord {
  /** Library name or scenario file path, or the scenario object itself. */
  readonly scenario: string | object;
  readonly method: string;
  readonly seed: number;
  readonly options: Readonly<Record<string, PolicyValue>>;
  readonly params?: Readonly<Record<string, PolicyValue>>;
  readonly expectedTraceSha256: string;
}

export function defaultRecordPath(r: FailureRecord): string {
  const name = typeof r.scenario === 'string' ? r.scenario.replace(/^.*\//, '').replace(/\.json$/, '') : 'scenario';
  return join('.dhcpike', 'failures', `${name}-${r.method}-${r.seed}.json`);
}

export function writeFailureRecord(r: FailureRecord, path = defaultRecordPath(r)): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
  return path;
}
