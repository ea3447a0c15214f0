import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import type { CliIo } from '../../../cli/command.ts';
import { readCapture } from '../../../models/wire/pcap/index.ts';
import { parseJsonl } from '../../../sim/trace-jsonl.ts';
import { registeredMethods } from '../../../scenarios/method-registry.ts';

function io(isTty = false): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty };
}

const tmp = mkdtempSync(join(tmpdir(), 'dhcpike-cli-'));

describe('dhcpike', () => {
  it('lists every command in --help, and each has its own --help', async () => {
    const t = io();
    expect(await main(['--help'], t)).toBe(0);
    const names = ['run', 'compare', 'sweep', 'claims', 'scenarios', 'schema', 'replay', 'decode'];
    for (const n of names) expect(t.lines[0]?.includes(`\n  ${n}`)).toBe(true);
    for (const n of names) {
      const u = io();
      expect(await main([n, '--help'], u)).toBe(0);
      expect(u.lines[0]?.startsWith(`usage: dhcpike ${n}`)).toBe(true);
    }
  });

  it('run --json prints { scenario, method, seed, traceSha256, metrics }; --trace and --pcap write files', async () => {
    const t = io();
    const trace = join(tmp, 'basic.jsonl');
    const pcap = join(tmp, 'basic.pcap');
    expect(await main(['run', 'basic', '--method', 'mode-cfg', '--json', '--trace', trace, '--pcap', pcap], t)).toBe(0);
    const out = JSON.parse(t.lines[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['scenario', 'method', 'seed', 'traceSha256', 'metrics']);
    expect(out['scenario']).toBe('basic');
    expect(out['method']).toBe('mode-cfg');
    expect(out['seed']).toBe(1);
    const events = parseJsonl(readFileSync(trace, 'utf8'));
    const sends = events.filter((e) => e.type === 'send');
    const cap = readCapture(new Uint8Array(readFileSync(pcap)));
    expect(cap.ok && cap.value.packets.length).toBe(sends.length);
    expect(sends.length).toBe(8);
  });

  it('run --ladder prints one line per packet', async () => {
    const t = io();
    expect(await main(['run', 'basic', '--method', 'mode-cfg', '--ladder'], t)).toBe(0);
    expect(t.lines.slice(0, 2)).toEqual([
      '0.000000  client1 → gw  IKE_SA_INIT request #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
      '0.010000  gw → client1  IKE_SA_INIT response #0 SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)',
    ]);
  });

  it('run names an unregistered method (exit 2)', async () => {
    const missing = ['dhcp-over-ike', 'dhcp-over-ike-wg', 'mode-cfg-dhcp', 'dhcp-over-ipsec'].find(
      (m) => !registeredMethods().includes(m as never),
    );
    if (missing === undefined) return expect(registeredMethods().length).toBe(5);
    const t = io();
    expect(await main(['run', 'basic', '--method', missing], t)).toBe(2);
    expect(t.errors[0]).toContain(`method '${missing}' is not registered yet`);
    const u = io();
    expect(await main(['run', 'basic', '--method', 'carrier-pigeon'], u)).toBe(2);
    expect(u.errors[0]?.startsWith("run: unknown method 'carrier-pigeon'")).toBe(true);
  });

  it('run exits 1 on failed expectations and writes a record that replay reproduces', async () => {
    const scenario = JSON.parse(readFileSync('scenarios/library/basic.json', 'utf8')) as Record<string, unknown>;
    scenario['expectations'] = [{ kind: 'metric', path: 'timeToAddressUs.median', max: 1000 }];
    const file = join(tmp, 'strict.json');
    writeFileSync(file, JSON.stringify(scenario));
    const record = join(tmp, 'failure.json');
    const t = io();
    expect(await main(['run', file, '--method', 'mode-cfg', '--record', record], t)).toBe(1);
    expect(t.lines.at(-1)).toBe('✗ timeToAddressUs.median ≤ 1000: 40000 (over 1 clients told to connect)');
    expect(t.errors).toEqual([`run: expectations failed; reproduce with: dhcpike replay ${record}`]);
    const saved = JSON.parse(readFileSync(record, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(saved)).toEqual(['scenario', 'method', 'seed', 'options', 'params', 'expectedTraceSha256']);
    const r = io();
    expect(await main(['replay', record], r)).toBe(0);
    expect(r.lines.at(-1)).toBe(`replay: digest matches (${String(saved['expectedTraceSha256'])})`);
    writeFileSync(record, JSON.stringify({ ...saved, expectedTraceSha256: '00' }));
    const d = io();
    expect(await main(['replay', record], d)).toBe(1);
  });

  it('compare: all five methods, the best value marked; --json and --csv', async () => {
    const text = io();
    expect(await main(['compare', 'basic'], text)).toBe(0);
    const squeeze = (l: string | undefined): string => (l ?? '').trim().replace(/ +/g, ' ');
    expect(squeeze(text.lines[0])).toBe('metric dhcp-over-ike dhcp-over-ike-wg mode-cfg mode-cfg-dhcp dhcp-over-ipsec');
    expect(squeeze(text.lines.find((l) => l.startsWith('timeToAddressUs.median')))).toBe(
      'timeToAddressUs.median 64000 64000 40000* 44000 84000',
    );
    expect(squeeze(text.lines.find((l) => l.startsWith('roundTripsToAddress.median')))).toBe(
      'roundTripsToAddress.median 3 3 2* 2* 4',
    );
    const t = io();
    expect(await main(['compare', 'basic', '--json'], t)).toBe(0);
    const out = JSON.parse(t.lines[0] ?? '{}') as { scenario: string; seed: number; results: { method: string }[] };
    expect(out.results.map((r) => r.method)).toEqual(registeredMethods());
    expect(registeredMethods().length).toBe(5);
    const c = io();
    expect([0, 1]).toContain(await main(['compare', 'basic', '--csv', '--methods', 'mode-cfg'], c));
    expect(c.lines[0]).toBe('metric,mode-cfg');
    expect(c.lines[1]).toBe('addressed,1');
  });

  it('sweep prints a summary and merge joins shards to the same records', async () => {
    const a = join(tmp, 'a.jsonl');
    const s1 = join(tmp, 's1.jsonl');
    const s2 = join(tmp, 's2.jsonl');
    const m = join(tmp, 'm.jsonl');
    const base = ['sweep', 'basic', '--seeds', '1..4', '--methods', 'mode-cfg', '--workers', '0'];
    expect(await main([...base, '--out', a], io())).toBe(0);
    expect(await main([...base, '--shard', '1/2', '--out', s1], io())).toBe(0);
    expect(await main([...base, '--shard', '2/2', '--out', s2], io())).toBe(0);
    const t = io();
    expect(await main(['sweep', 'merge', s2, s1, '--out', m], t)).toBe(0);
    expect(readFileSync(m, 'utf8')).toBe(readFileSync(a, 'utf8'));
    expect(readFileSync(a, 'utf8').trim().split('\n').length).toBe(4);
    const squeeze = (l: string | undefined): string => (l ?? '').replace(/ +/g, ' ');
    expect(squeeze(t.lines[0])).toBe('metric mode-cfg');
    expect(squeeze(t.lines[2])).toBe('runs 4');
    expect(squeeze(t.lines[4])).toBe('addressed 1 [1, 1]~');
    const bad = io();
    expect(await main(['sweep', 'basic', '--seeds', '4..1'], bad)).toBe(2);
  });

  it('scenarios, schema and claims', async () => {
    const s = io();
    expect(await main(['scenarios'], s)).toBe(0);
    expect(s.lines.length).toBe(15);
    expect(s.lines[0]?.startsWith('basic ')).toBe(true);
    const j = io();
    expect(await main(['schema'], j)).toBe(0);
    const schema = JSON.parse(j.lines.join('\n')) as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toContain('topology');
    expect(schema.additionalProperties).toBe(false);
    const c = io();
    expect(await main(['claims', '--json'], c)).toBe(0);
    const claims = (JSON.parse(c.lines[0] ?? '{}') as { claims: { verdict: string }[] }).claims;
    expect(claims.length).toBe(12);
    expect(claims.filter((x) => x.verdict === 'not-run')).toEqual([]);
    const text = io();
    expect(await main(['claims'], text)).toBe(0);
    expect(text.lines.slice(0, 3).map((l) => l.trim().replace(/ +/g, ' '))).toEqual([
      'id section verdict',
      expect.stringMatching(/^─+ ─+ ─+$/) as unknown as string,
      // not-measurable until the DHCP carrier is a machine (scenarios/metrics/machine-registry.ts), then a verdict.
      expect.stringMatching(/^s3-dhcp-machine-in-client §3 (supported|refuted|not-measurable)$/) as unknown as string,
    ]);
    // A claim on the clients lists per method every machine counted with its states/transitions, and the code lines.
    expect(text.lines.filter((l) => l.startsWith('    dhcp-over-ipsec: machines ike=ike-i '))).not.toEqual([]);
    expect(
      text.lines.filter((l) => /^ {6}code lines: client \d+ \(without the RFC 2131 client \d+\)/.test(l)),
    ).not.toEqual([]);
    expect(text.lines).toContain(
      '  [both tunnels at 0 s] dhcp-over-ipsec: misdirected=1, tunnels.timeToAddressUs.max=4794000',
    );
  });
});
