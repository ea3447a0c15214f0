import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../web/validate/check.ts';
import { validateClaimsJson, validateSweepJsonl, validateTraceJsonl } from '../../web/validate/files.ts';
import { toJsonl } from '../../sim/trace-jsonl.ts';
import { labRunner } from '../../web/runner.ts';

const errorsOf = (r: { ok: boolean; errors?: readonly Parameters<typeof formatFieldError>[0][] }): string[] =>
  r.ok ? [] : (r.errors ?? []).map(formatFieldError);

describe('file validation', () => {
  it('accepts a real trace', () => {
    const run = labRunner.run({ scenario: 'basic', method: 'dhcp-over-ike', seed: 1 });
    const r = validateTraceJsonl(toJsonl(run.trace));
    expect(r.ok && r.value.length).toBe(run.trace.length);
  });

  it('names the line and field path of each problem', () => {
    const text = [
      '{"type":"send","atUs":0,"node":"a","iface":"e","packetId":1,"length":1,"summary":"x","bytes":"ZZ"}',
      '{"type":"drop","atUs":-5,"reason":"gremlins","packetId":1,"node":"a","summary":"x"}',
      'not json',
      '{"type":"teleport","atUs":0}',
    ].join('\n');
    expect(errorsOf(validateTraceJsonl(text))).toEqual([
      'line 1: $.bytes: expected a lowercase hex string, got "ZZ"',
      'line 2: $.atUs: expected a non-negative integer, got -5',
      'line 2: $.reason: expected one of "loss", "burst-loss", "partition", "link-down", "mtu", "queue-full", "targeted", "node-down", "no-route", got "gremlins"',
      expect.stringMatching(/^line 3: \$: not JSON: /),
      'line 4: $.type: expected one of "send", "deliver", "drop", "duplicate", "timer", "state", "fault", "malformed", "note", "command", got "teleport"',
    ]);
  });

  it('checks sweep lines (metrics flattened) and claims reports', () => {
    const line = {
      scenario: 'lossy',
      params: { loss: 0.05 },
      method: 'mode-cfg',
      seed: 1,
      metrics: {
        addressed: 10,
        timeToAddressUs: { n: 10, median: 80000 },
        timeToReaddressUs: null,
        clientMachines: ['ike'],
      },
      ok: true,
    };
    const good = validateSweepJsonl(
      `${JSON.stringify(line)}\n{"scenario":"lossy","params":{},"method":"m","seed":2,"error":"boom"}\n`,
    );
    expect(good.ok && good.value.map((r) => r.metrics)).toEqual([
      { addressed: 10, 'timeToAddressUs.n': 10, 'timeToAddressUs.median': 80000, timeToReaddressUs: null },
      {},
    ]);
    expect(errorsOf(validateSweepJsonl('{"scenario":"s","method":"m","seed":-1,"params":{},"metrics":[]}'))).toEqual([
      'line 1: $.seed: expected a non-negative integer, got -1',
      'line 1: $.metrics: expected an object, got []',
    ]);
    expect(
      errorsOf(
        validateClaimsJson(
          '{"claims":[{"id":"c1","section":"§3","claim":"t","scenario":"basic","methods":["mode-cfg"],"measure":"m","verdict":"confirmed","figures":[]}]}',
        ),
      ),
    ).toEqual([
      '$.claims[0].verdict: expected one of "supported", "refuted", "depends", "not-run", "not-measurable", got "confirmed"',
    ]);
    const parsed = validateJsonProto();
    expect(parsed).toBe(false);
  });
});

/** A `__proto__` key stays data (JSON.parse never evaluates). */
function validateJsonProto(): boolean {
  const r = validateSweepJsonl(
    '{"scenario":"s","method":"m","seed":1,"params":{"__proto__":{"polluted":1}},"metrics":{}}',
  );
  return ({} as Record<string, unknown>).polluted !== undefined || !r;
}
