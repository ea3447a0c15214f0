/**
 * `ADDRESS[:PORT]` on the command line (`--dhcp-external`, `--gateway-external`): parsed against the scenario
 * schema's spec of the real peer, so the CLI gets the schema's defaults and its checks, or a ScenarioError naming the
 * flag and what was expected.
 */
import type { z } from 'zod';
import { ScenarioError, type Problem } from '../problems.ts';

export function parseAddressArg<T>(text: string, flag: string, spec: z.ZodType<T>, peer: string): T {
  const m = /^([^:]+)(?::(\d+))?$/.exec(text);
  const raw = m === null ? { address: text } : { address: m[1], ...(m[2] === undefined ? {} : { port: Number(m[2]) }) };
  const r = spec.safeParse(raw);
  if (r.success) return r.data;
  const problems: Problem[] = r.error.issues.map((i) => ({
    path: flag,
    expected: `ADDRESS[:PORT] of ${peer} (${i.path.join('.')}: ${i.message})`,
    found: text,
  }));
  throw new ScenarioError(problems, flag);
}
