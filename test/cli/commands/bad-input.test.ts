/**
 * Bad input that used to crash (stack overflow, TypeError, RangeError, EISDIR) or run unbounded: each is refused with
 * exit 2 and one line naming the option or field path and what was expected.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import type { CliIo } from '../../../cli/command.ts';
import { FileByteSource } from '../../../cli/commands/decode.ts';
import { buildDhcpMessage } from '../../../models/wire/dhcp/message.ts';
import { emitPacket, udpPacket } from '../../../models/wire/packet.ts';
import { writePcap } from '../../../models/wire/pcap/index.ts';
import { loadScenario, SCENARIO_LIMITS } from '../../../scenarios/load.ts';
import { runScenario } from '../../../scenarios/run.ts';
import '../../../scenarios/node.ts';

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty: false };
}

const tmp = mkdtempSync(join(tmpdir(), 'dhcpike-bad-input-'));

type Doc = Record<string, unknown> & {
  topology: { dhcpServers: { pools: Record<string, unknown>[] }[] };
  faults: unknown[];
  workload: { actions: unknown[] };
  options?: Record<string, unknown>;
};

function basic(): Doc {
  const doc = JSON.parse(readFileSync('scenarios/library/basic.json', 'utf8')) as Doc;
  doc.faults = [];
  return doc;
}

function file(name: string, content: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function cli(...args: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const t = io();
  const code = await main(args, t);
  return { code, lines: t.lines, errors: t.errors };
}

describe('bad input is refused with exit 2, naming where and what was expected', () => {
  it('1. a 100,000-deep JSON array is refused by the depth limit (no stack overflow)', async () => {
    const deep = file('deep.json', '['.repeat(100_000) + ']'.repeat(100_000));
    const r = await cli('run', deep);
    expect(r.code).toBe(2);
    expect(r.errors[0]).toBe(`run: ${deep}: 1 problem(s):`);
    expect(r.errors[1]).toBe(
      `  ${'[0]'.repeat(32)}: expected a document nested at most 32 levels deep, found deeper nesting`,
    );
    // A deep object handed to the library is measured before structuredClone walks it.
    let nested: unknown = [];
    for (let i = 0; i < 100_000; i++) nested = { a: nested };
    const l = loadScenario(nested as object);
    expect(l.ok).toBe(false);
    if (!l.ok) expect(l.problems[0]?.expected).toBe('a document nested at most 32 levels deep');
  });

  it('2. 700,000 faults are refused by the documented limit; 200,000 problems are counted, 50 printed', async () => {
    const doc = basic();
    doc.faults = Array.from({ length: 700_000 }, () => ({ atMs: 1, type: 'link.down', link: 'outside' }));
    const r = await cli('run', file('faults700k.json', doc));
    expect(r.code).toBe(2);
    expect(r.errors[1]).toBe("  faults: expected at most 100,000 faults (the lab's limit), found 700000");
    expect(SCENARIO_LIMITS).toEqual({ depth: 32, faults: 100_000, actions: 100_000, clients: 100_000 });
    // Within the limits but every fault and action late: the problem list is built without spreading it into push.
    const late = basic();
    late.faults = Array.from({ length: 100_000 }, () => ({ atMs: 9000, type: 'link.down', link: 'outside' }));
    late.workload.actions = Array.from({ length: 100_000 }, () => ({ atMs: 9000, action: 'ping', nodes: 'client1' }));
    const s = await cli('run', file('late.json', late));
    expect(s.code).toBe(2);
    expect(s.errors[0]?.endsWith(': 200000 problem(s):')).toBe(true);
    expect(s.errors[1]).toBe('  workload.actions[0].atMs: expected a time ≤ durationMs (5000), found 9000');
    expect(s.errors).toHaveLength(1 + 50 + 1);
    expect(s.errors.at(-1)).toBe('  … and 199950 more');
  }, 120_000);

  it('3. an output path that is a directory or in a missing folder is one line naming the option', async () => {
    const missing = join(tmp, 'no-such-dir', 'x');
    const asFile = file('plain.txt', 'x');
    const cases: [string[], string][] = [
      [['run', 'basic', '--trace', tmp], `run: --trace ${tmp}: expected a file path, found a directory`],
      [
        ['run', 'basic', '--pcap', `${missing}.pcap`],
        `run: --pcap ${missing}.pcap: expected a file in an existing directory, found no directory ${join(tmp, 'no-such-dir')}`,
      ],
      [
        ['run', 'basic', '--record', join(asFile, 'r.json')],
        `run: --record ${join(asFile, 'r.json')}: expected a file in a directory, found a file at ${asFile}`,
      ],
      [
        ['sweep', 'basic', '--seeds', '1', '--out', tmp],
        `sweep: --out ${tmp}: expected a file path, found a directory`,
      ],
      [
        ['sweep', 'merge', file('ok.jsonl', ''), '--out', tmp],
        `sweep: --out ${tmp}: expected a file path, found a directory`,
      ],
    ];
    for (const [args, error] of cases) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.errors).toEqual([error]);
      expect(r.lines).toEqual([]);
    }
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });

  it('4. sweep merge checks every record and names file:line and the field', async () => {
    const good = join(tmp, 'good.jsonl');
    expect(
      await cli('sweep', 'basic', '--seeds', '1', '--methods', 'mode-cfg', '--workers', '0', '--out', good),
    ).toEqual(expect.objectContaining({ code: 0 }));
    const record = JSON.parse(readFileSync(good, 'utf8').trim()) as Record<string, unknown>;
    const wrong = { ...record, seed: 'one', metrics: { ...(record['metrics'] as object), addressed: 'yes' } };
    const f = file('bad.jsonl', ['{}', 'null', JSON.stringify(record), JSON.stringify(wrong), '{not json'].join('\n'));
    const r = await cli('sweep', 'merge', good, f);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([]);
    expect(r.errors[0]).toBe('sweep: sweep merge: 9 problem(s):');
    expect(r.errors.slice(1, 6)).toEqual([
      `  ${f}:1: scenario: expected a scenario name (text), found nothing`,
      `  ${f}:1: method: expected a method id (dhcp-over-ike, dhcp-over-ike-wg, mode-cfg, mode-cfg-dhcp, dhcp-over-ipsec), found nothing`,
      `  ${f}:1: seed: expected a non-negative safe integer, found nothing`,
      `  ${f}:1: params: expected an object of swept values, found nothing`,
      `  ${f}:1: metrics: expected the run's metrics (or an error), found nothing`,
    ]);
    expect(r.errors[6]).toBe(
      `  ${f}:2: expected a record { scenario, params, method, seed, metrics | error }, found null`,
    );
    expect(r.errors[7]).toBe(`  ${f}:4: seed: expected a non-negative safe integer, found "one"`);
    expect(r.errors[8]).toBe(`  ${f}:4: metrics.addressed: expected a finite number or null, found "yes"`);
    expect(r.errors[9]?.startsWith(`  ${f}:5: expected a JSON record, found `)).toBe(true);
    // The good file alone still merges.
    expect((await cli('sweep', 'merge', good)).code).toBe(0);
  });

  it('5. every seed is a non-negative safe integer: replay records, --seed, --seeds', async () => {
    for (const [seed, found] of [
      ['-1', '-1'],
      ['1.5', '1.5'],
      ['1e300', '1e+300'],
    ] as const) {
      const rec = file(
        'rec.json',
        `{"scenario":"basic","method":"mode-cfg","seed":${seed},"options":{},"expectedTraceSha256":"00"}`,
      );
      const r = await cli('replay', rec);
      expect(r.code).toBe(2);
      expect(r.errors).toEqual([
        `replay: ${rec}: seed: expected a non-negative safe integer (0 … 9007199254740991), found ${found}`,
      ]);
    }
    const nul = file('null.json', 'null');
    expect((await cli('replay', nul)).errors[0]).toBe(
      `replay: ${nul}: (document): expected an object { scenario, method, seed, options, params?, expectedTraceSha256 }, found null`,
    );
    for (const args of [
      ['run', 'basic', '--seed', '1.5'],
      ['compare', 'basic', '--seed=-1'],
      ['run', 'basic', '--seed', '9007199254740993'],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.errors[0]).toMatch(/: --seed: expected a non-negative safe integer \(0 … 9007199254740991\), found '/);
    }
    const s = await cli('sweep', 'basic', '--seeds', '1..99999999999999999999');
    expect(s.code).toBe(2);
    expect(s.errors[0]).toBe(
      "sweep: --seeds: expected A..B with A ≤ B, each a non-negative safe integer (0 … 9007199254740991), found '1..99999999999999999999'",
    );
  });

  it('6. stdout closed early (| head): exit 0, nothing on stderr', async () => {
    const child = spawn(process.execPath, ['bin/dhcpike.js', 'run', 'basic', '--ladder'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Close the reading end before the command writes (tsx start-up takes a while): every write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);

  it('7. --seeds 1..1000000000000 is refused: at most 1,000,000 runs', async () => {
    const r = await cli('sweep', 'basic', '--seeds', '1..1000000000000');
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      'sweep: --seeds 1..1000000000000: 1000000000000 seeds × 1 parameter set(s) × 5 method(s) = 5000000000000 runs; ' +
        'expected at most 1,000,000 runs in one sweep (fewer seeds, values or --methods)',
    ]);
    // Under the limit the sweep runs (one shard of it here, to keep the test short).
    const p = await cli(
      'sweep',
      'basic',
      '--seeds',
      '1..1000',
      '--param',
      'retransmit=strongswan,doubling',
      '--methods',
      'mode-cfg',
      '--shard',
      '1/1000',
      '--workers',
      '0',
    );
    expect(p.code).toBe(0);
    expect(p.lines[2]).toMatch(/^runs\s+1\s+1$/);
  }, 120_000);

  it('8. leaseSecs beyond option 51 and t1/t2 out of order are refused (RFC 2132 §9.2, RFC 2131 §4.4.5)', () => {
    const pool = 'topology.dhcpServers[0].pools[0]';
    const problems = (change: Record<string, unknown>): string[] => {
      const doc = basic();
      Object.assign(doc.topology.dhcpServers[0]?.pools[0] ?? {}, change);
      const r = loadScenario(doc);
      return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.expected} / ${p.found}`);
    };
    expect(problems({ leaseSecs: 0x1_0000_0000 })).toEqual([
      `${pool}.leaseSecs: at most 4294967295 seconds (a 32-bit count in DHCP option 51, 0xffffffff = infinite; RFC 2132 §9.2) / 4294967296`,
    ]);
    expect(problems({ leaseSecs: 0xffffffff })).toEqual([]);
    expect(problems({ leaseSecs: 60, t1Secs: 52, t2Secs: 30 })).toEqual([
      `${pool}.t2Secs: more than t1Secs (52): t1 < t2 < lease (RFC 2131 §4.4.5) / 30`,
    ]);
    expect(problems({ leaseSecs: 60, t1Secs: 60, t2Secs: 90 })).toEqual([
      `${pool}.t1Secs: less than leaseSecs (60): t1 < t2 < lease (RFC 2131 §4.4.5) / 60`,
      `${pool}.t2Secs: less than leaseSecs (60): t1 < t2 < lease (RFC 2131 §4.4.5) / 90`,
    ]);
    expect(problems({ leaseSecs: 60, t1Secs: 30, t2Secs: 52 })).toEqual([]);
    expect(problems({ leaseSecs: 60, t2Secs: 52 })).toEqual([]);
  });

  it('9. reserved --option/--param names are refused, unknown ones named (not silently dropped)', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      for (const flag of ['--option', '--param']) {
        const r = await cli('run', 'basic', flag, `${name}=1`);
        expect(r.code).toBe(2);
        expect(r.errors).toEqual([
          `run: ${flag} ${name}: expected an option or parameter name, found the reserved name '${name}'`,
        ]);
      }
    }
    const r = await cli('run', 'lossy', '--param', 'toString=1');
    expect(r.code).toBe(2);
    expect(r.errors[1]).toBe('  --param toString: expected a parameter of this scenario (loss), found "toString"');
    // Library callers: an inherited name is not a declared parameter either.
    expect(() => runScenario('lossy', { params: { hasOwnProperty: 1 } })).toThrow(/--param hasOwnProperty/);
  });

  it('10. dhcpIkeOption82=off (or no link-selection) with giaddr outside every pool and relay list is refused', async () => {
    // By default the builder lists the gateway's inside address as the first pool's relay address (Kea
    // relay.ip-addresses, as a site serving strongSwan's dhcp plugin does): without option 82 the pool is still found.
    const plain = await cli('run', 'basic', '--method', 'dhcp-over-ike', '--option', 'dhcpIkeOption82=off');
    expect(plain.code).toBe(0);
    expect(plain.lines[2]?.startsWith('addressed 1/1')).toBe(true);
    // A server whose relay list leaves the gateway out can only pick a pool by link-selection.
    const listed = (): ReturnType<typeof basic> => {
      const doc = basic();
      const pool = doc.topology.dhcpServers[0]?.pools[0];
      if (pool !== undefined) Object.assign(pool, { relayAddresses: ['10.1.0.99'] });
      return doc;
    };
    const off = listed();
    off.options = { dhcpIkeOption82: 'off' };
    const r = loadScenario(off);
    expect(r.ok ? [] : r.problems.map((p) => [p.path, p.expected])).toEqual([
      [
        'options.dhcpIkeOption82',
        "'ike-identity' or 'circuit-only' for dhcp-over-ike, dhcp-over-ike-wg: " +
          "'off' removes option 82 and with it the link-selection sub-option (RFC 3527 §3), so dhcp can only pick a pool " +
          "by giaddr 10.1.0.1 (gateway gw's inside address), which none of its pools contains or lists in relayAddresses " +
          '(RFC 2131 §4.3.1) and no client would be addressed; keep link-selection (dhcpIkeOption82=circuit-only is the ' +
          'smallest option 82 that carries it) or give dhcp a pool whose subnet holds 10.1.0.1',
      ],
    ]);
    const noLink = listed();
    noLink.options = { dhcpIkeLinkSelection: false };
    const l = loadScenario(noLink);
    expect(l.ok ? [] : l.problems.map((p) => p.path)).toEqual(['options.dhcpIkeLinkSelection']);
    // Only methods that relay with option 82 are concerned, and a pool holding giaddr makes it work.
    expect(loadScenario({ ...listed(), methods: ['mode-cfg'], options: { dhcpIkeOption82: 'off' } }).ok).toBe(true);
    const inScope = listed();
    inScope.options = { dhcpIkeOption82: 'off' };
    inScope.topology.dhcpServers[0]?.pools.push({
      subnet: '10.1.0.0/24',
      rangeStart: '10.1.0.100',
      rangeEnd: '10.1.0.150',
    });
    expect(loadScenario(inScope).ok).toBe(true);
    const circuit = await cli('run', 'basic', '--method', 'dhcp-over-ike', '--option', 'dhcpIkeOption82=circuit-only');
    expect(circuit.code).toBe(0);
    expect(circuit.lines[2]?.startsWith('addressed 1/1')).toBe(true);
  });

  it('11. decode streams: packets print as they are parsed, the file read in bounded chunks', async () => {
    const packet = emitPacket(
      udpPacket({
        src: '10.0.0.2',
        dst: '10.0.0.1',
        srcPort: 68,
        dstPort: 67,
        app: {
          kind: 'dhcp',
          message: buildDhcpMessage({ type: 'DISCOVER', xid: 9, hardwareAddress: Uint8Array.of(2, 0, 0, 0, 0, 1) }),
        },
      }),
    );
    const whole = writePcap(
      Array.from({ length: 3 }, (_, i) => ({ timestampUs: 1_000_000 + i * 500_000, ipv4Bytes: packet })),
    );
    // A fourth record header whose captured length runs past the end: the file is bad from there on.
    const truncated = file('truncated.pcap', '');
    writeFileSync(truncated, Uint8Array.from([...whole, ...whole.subarray(24, 24 + 16)]));
    const r = await cli('decode', truncated);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      '1 0.000000 10.0.0.2 → 10.0.0.1 DHCPDISCOVER xid=0x00000009',
      '2 0.500000 10.0.0.2 → 10.0.0.1 DHCPDISCOVER xid=0x00000009',
      '3 1.000000 10.0.0.2 → 10.0.0.1 DHCPDISCOVER xid=0x00000009',
    ]);
    expect(r.errors).toEqual([
      `decode: ${truncated}: pcap.record[3].capturedLength at offset ${whole.length + 8}: ${packet.length} bytes but only 0 left`,
    ]);
    // The file source never holds more than one chunk (or one record larger than a chunk).
    const fd = openSync(truncated, 'r');
    try {
      const source = new FileByteSource(fd, 64);
      const bytes = readFileSync(truncated);
      for (const [at, length] of [
        [0, 24],
        [24, 16],
        [40, packet.length],
        [30, 10],
        [whole.length, 16],
      ] as const) {
        const got = source.read(at, length);
        expect(Buffer.from(got).equals(bytes.subarray(at, at + length))).toBe(true);
        expect(got.buffer.byteLength).toBeLessThanOrEqual(Math.max(64, length));
      }
    } finally {
      closeSync(fd);
    }
  });

  it('12. --max-events stops a run that needs more events, with exit 2', async () => {
    const r = await cli('run', 'basic', '--method', 'dhcp-over-ike', '--max-events', '10');
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([]);
    expect(r.errors).toEqual([
      'run: --max-events 10: the run was stopped after 10 simulator events, at virtual time 54.000 ms; raise --max-events or shrink the scenario',
    ]);
    expect((await cli('run', 'basic', '--max-events', '0')).errors[0]).toMatch(
      /^run: --max-events expects an integer ≥ 1/,
    );
    // The trace is streamed to --trace (not kept): the file's digest is the run's.
    mkdirSync(join(tmp, 'traces'), { recursive: true });
    const trace = join(tmp, 'traces', 'basic.jsonl');
    const ok = await cli('run', 'basic', '--method', 'mode-cfg', '--json', '--trace', trace);
    expect(ok.code).toBe(0);
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(readFileSync(trace)).digest('hex');
    expect(digest).toBe((JSON.parse(ok.lines[0] ?? '{}') as { traceSha256?: string }).traceSha256);
  });
});
