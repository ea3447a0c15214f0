/**
 * The keys of a real-crypto run (scenarios/keys-export.ts, models/wire/crypto/key-table.ts): `crypto.keys` notes →
 * entries (deduped) → Wireshark lines → entries again; a reader's lookup opens every packet of the run as the nodes
 * did; strongSwan's capture opens with its own key tables; and the CLI path `run --crypto real --pcap --keys` then
 * `decode --keys`.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/command.ts';
import { main } from '../../cli/main.ts';
import { fromHex, toHex } from '../../models/wire/bytes.ts';
import { CIPHER_SUITES, type CipherSuiteName } from '../../models/wire/crypto-suite.ts';
import { keyLookupOf } from '../../models/wire/crypto/key-table.ts';
import { parseWiresharkKeys } from '../../models/wire/crypto/wireshark-keys.ts';
import type { IkePayload } from '../../models/wire/ike/types.ts';
import { parsePacket, summarizePacket, type Packet } from '../../models/wire/packet.ts';
import { readCapture } from '../../models/wire/pcap/index.ts';
import { keyEntriesOfTrace, traceHasKeys, wiresharkKeysText } from '../../scenarios/keys-export.ts';
import { loadScenarioOrThrow } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/run.ts';
import type { MethodId } from '../../scenarios/method-registry.ts';
import type { NoteEvent, TraceEvent } from '../../sim/trace.ts';
import { capturePath } from '../support/captures.ts';

function realRun(method: MethodId) {
  const s = loadScenarioOrThrow('basic', { options: { crypto: 'real' } });
  return runScenario(s, { method, keepTrace: true });
}

const keyNotes = (trace: readonly TraceEvent[]): NoteEvent[] =>
  trace.filter((e): e is NoteEvent => e.type === 'note' && e.text === 'crypto.keys');

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), isTty: false };
}

/** Every payload of an IKE message, SK contents included. */
function payloadsOf(p: Packet): IkePayload[] {
  const app = p.payload.kind === 'udp' ? p.payload.app : undefined;
  if (app?.kind !== 'ike') return [];
  return app.message.payloads.flatMap((x) => (x.kind === 'SK' ? [x, ...x.payloads] : [x]));
}

describe('crypto.keys notes → entries → Wireshark lines', () => {
  const run = realRun('mode-cfg');
  const entries = keyEntriesOfTrace(run.trace);

  it('one entry per SA although both ends announce it', () => {
    const notes = keyNotes(run.trace);
    // client and gateway each announce the IKE SA and both directions of the Child SA.
    expect(
      notes
        .filter((n) => n.data?.['kind'] === 'ike')
        .map((n) => n.node)
        .sort(),
    ).toEqual(['client1', 'gw']);
    expect(notes.filter((n) => n.data?.['kind'] === 'esp')).toHaveLength(4);
    expect(entries.ike).toHaveLength(1);
    expect(entries.esp).toHaveLength(2);
    const ikeNote = notes.find((n) => n.data?.['kind'] === 'ike')?.data ?? {};
    const [ike] = entries.ike;
    expect(ike?.spiI).toBe(ikeNote['spiI']);
    expect(ike?.spiR).toBe(ikeNote['spiR']);
    expect(ike?.suite).toBe(CIPHER_SUITES.aes128gcm16);
    expect(toHex(ike?.initiator.encrKey ?? new Uint8Array(0)) + toHex(ike?.initiator.salt ?? new Uint8Array(0))).toBe(
      ikeNote['skEi'],
    );
    expect(entries.esp.map((e) => `${e.src} → ${e.dst}`).sort()).toEqual([
      '198.51.100.1 → 198.51.100.11',
      '198.51.100.11 → 198.51.100.1',
    ]);
    expect(new Set(entries.esp.map((e) => e.spi)).size).toBe(2);
    expect(traceHasKeys(run.trace)).toBe(true);
  });

  it('the file: comments, then the IKE line, then the ESP lines; it reads back to the same entries', () => {
    const text = wiresharkKeysText(entries);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]?.startsWith('# ')).toBe(true);
    expect(lines[1]?.startsWith('# tshark -r CAPTURE.pcap')).toBe(true);
    expect(lines[2]).toMatch(/^[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]{40},[0-9a-f]{40},"AES-GCM-128 with 16 octet ICV/);
    expect(lines[3]).toMatch(/^"IPv4","198\.51\.100\.1","198\.51\.100\.11","0x[0-9a-f]{8}","AES-GCM with 16 octet/);
    expect(lines[4]).toMatch(/^"IPv4","198\.51\.100\.11","198\.51\.100\.1","0x[0-9a-f]{8}","AES-GCM with 16 octet/);
    const back = parseWiresharkKeys(text);
    expect(back.errors).toEqual([]);
    expect({ ike: back.ike, esp: back.esp }).toEqual(entries);
  });

  it('a reader with the entries opens every packet of the run as the nodes did (same summaries)', () => {
    const keys = keyLookupOf(entries);
    const sends = run.trace.filter((e) => e.type === 'send');
    expect(sends.length).toBeGreaterThan(0);
    for (const e of sends) {
      const p = parsePacket(fromHex(e.bytes), { keys });
      if (!p.ok) throw new Error(`packet ${e.packetId}: ${JSON.stringify(p.error)}`);
      expect(summarizePacket(p.value)).toBe(e.summary);
    }
    // Without keys, SK and ESP stay encrypted: the keys are what opened them.
    const auth = sends.find((e) => e.summary.startsWith('IKE_AUTH response'));
    const plain = parsePacket(fromHex(auth?.bytes ?? ''));
    expect(plain.ok && summarizePacket(plain.value)).toMatch(/SK\{…encrypted \d+ bytes\}/);
  });

  it('a modelled run announces no keys: no entries, only the comment lines', () => {
    const modelled = runScenario('basic', { method: 'mode-cfg', keepTrace: true });
    expect(traceHasKeys(modelled.trace)).toBe(false);
    expect(keyEntriesOfTrace(modelled.trace)).toEqual({ ike: [], esp: [] });
    expect(wiresharkKeysText({ ike: [], esp: [] }).trimEnd().split('\n')).toHaveLength(2);
  });
});

describe('keyEntriesOfTrace on made-up notes', () => {
  const note = (node: string, data: Record<string, string | number>): NoteEvent => ({
    type: 'note',
    atUs: 0,
    node,
    text: 'crypto.keys',
    data,
  });
  const cbcKey = '11'.repeat(16);
  const integ = '22'.repeat(32);
  const esp = { kind: 'esp', spi: 0x1234, suite: 'aes128-sha256', encrKey: cbcKey, integKey: integ };
  const ike = {
    kind: 'ike',
    spiI: '0123456789ABCDEF',
    spiR: 'fedcba9876543210',
    suite: 'aes256gcm16',
    skEi: '33'.repeat(36),
    skAi: '',
    skEr: '44'.repeat(36),
    skAr: '',
  };

  it('dedupes by SPI; addresses the two ends disagree on (or do not know) become the wildcard', () => {
    const r = keyEntriesOfTrace([
      note('a', { ...esp, src: '192.0.2.1', dst: '192.0.2.2' }),
      note('b', { ...esp, src: '192.0.2.1', dst: '192.0.2.9' }),
      note('c', { ...esp, spi: 7, src: '0.0.0.0', dst: '192.0.2.2' }),
      note('c', { ...esp, spi: 8, src: '"x",', dst: '2001:db8::1' }),
      note('a', ike),
      note('b', { ...ike, spiI: '0123456789abcdef' }),
    ]);
    expect(r.esp.map((e) => [e.spi, e.src, e.dst])).toEqual([
      [0x1234, '192.0.2.1', '*'],
      [7, '*', '192.0.2.2'],
      [8, '*', '2001:db8::1'],
    ]);
    expect(r.ike.map((e) => [e.spiI, e.spiR, e.suite.name])).toEqual([
      ['0123456789abcdef', 'fedcba9876543210', 'aes256gcm16'],
    ]);
    expect(toHex(r.ike[0]?.initiator.salt ?? new Uint8Array(0))).toBe('33333333');
    expect(r.ike[0]?.initiator.encrKey).toHaveLength(32);
  });

  it('leaves out notes that do not read: unknown suite, bad hex, wrong key length, bad SPI, other notes', () => {
    const r = keyEntriesOfTrace([
      note('a', { ...esp, suite: '3des' }),
      note('a', { ...esp, encrKey: 'zz' }),
      note('a', { ...esp, encrKey: cbcKey + '00' }),
      note('a', { ...esp, integKey: '' }),
      note('a', { ...esp, spi: -1 }),
      note('a', { ...esp, spi: '1' }),
      note('a', { ...ike, spiI: '0123' }),
      note('a', { ...ike, skEi: '33'.repeat(32) }),
      note('a', { kind: 'other' }),
      { type: 'note', atUs: 0, node: 'a', text: 'dhcp.lease', data: esp },
    ]);
    expect(r).toEqual({ ike: [], esp: [] });
  });

  it('keyLookupOf: IKE by SPI pair (any case), ESP by SPI in both directions, no IV secret', () => {
    const r = keyEntriesOfTrace([note('a', { ...esp, src: '192.0.2.1', dst: '192.0.2.2' }), note('a', ike)]);
    const lookup = keyLookupOf(r);
    expect(lookup.ike('0123456789ABCDEF', 'FEDCBA9876543210')?.suite.name).toBe('aes256gcm16');
    expect(lookup.ike('fedcba9876543210', '0123456789abcdef')).toBeUndefined();
    expect(lookup.espIn(0x1234)).toBe(lookup.espOut(0x1234));
    expect(lookup.espIn(0x1234)?.ivSecret).toHaveLength(0);
    expect(lookup.espIn(0x1235)).toBeUndefined();
  });
});

describe("strongSwan's capture with its key tables", () => {
  it('opens IKE_AUTH and shows the CP reply 10.30.0.1; ESP opens to the inner UDP', () => {
    const tables = ['strongswan-cp-pool.ikev2_decryption_table', 'strongswan-cp-pool.esp_sa'].map((f) =>
      readFileSync(capturePath(f), 'utf8'),
    );
    const parsedKeys = parseWiresharkKeys(tables.join('\n'));
    expect(parsedKeys.errors).toEqual([]);
    const keys = keyLookupOf(parsedKeys);
    const capture = readCapture(readFileSync(capturePath('strongswan-cp-pool.pcap')));
    if (!capture.ok) throw new Error(JSON.stringify(capture.error));
    const packets = capture.value.packets.map((p) => {
      const r = parsePacket(p.ipv4Bytes, { keys });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value;
    });
    const reply = packets.flatMap(payloadsOf).find((x) => x.kind === 'CP' && x.cfgType === 2);
    expect(reply?.kind === 'CP' && reply.attributes.find((a) => a.kind === 'ip4Address')).toEqual({
      kind: 'ip4Address',
      address: '10.30.0.1',
    });
    expect(packets.map(summarizePacket).filter((s) => s.includes('encrypted'))).toEqual([]);
    expect(summarizePacket(packets[4] as Packet)).toBe('ESP spi=0xd1f40851 seq=1 (UDP 48740 → 9999 (13 bytes))');
  });

  it('dhcpike decode --keys (Wireshark files, given twice) prints the opened messages', async () => {
    const t = io();
    const code = await main(
      [
        'decode',
        capturePath('strongswan-cp-pool.pcap'),
        '--keys',
        capturePath('strongswan-cp-pool.ikev2_decryption_table'),
        '--keys',
        capturePath('strongswan-cp-pool.esp_sa'),
      ],
      t,
    );
    expect(t.errors).toEqual([]);
    expect(code).toBe(0);
    expect(t.lines[3]).toMatch(
      /^4 0\.009059 192\.168\.50\.1 → 192\.168\.50\.2 IKE_AUTH response #1 SK\{IDr, AUTH, CP\(CFG_REPLY\)/,
    );
    expect(t.lines[5]).toBe(
      '6 0.419279 192.168.50.1 → 192.168.50.2 ESP spi=0xf7331436 seq=1 (UDP 9999 → 48740 (4 bytes))',
    );
  });

  it('dhcpike decode --keys refuses a missing or unreadable key file with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhcpike-keys-'));
    const bad = join(dir, 'bad.keys');
    writeFileSync(bad, '"IPv4","1.2.3.4"\n');
    const t = io();
    expect(await main(['decode', capturePath('strongswan-cp-pool.pcap'), '--keys', bad], t)).toBe(2);
    expect(t.errors).toEqual([`decode: --keys ${bad}: line 1: 2 fields, a key line has 8`]);
    const u = io();
    expect(await main(['decode', capturePath('strongswan-cp-pool.pcap'), '--keys', join(dir, 'none')], u)).toBe(2);
    expect(u.errors[0]).toBe(`decode: --keys ${join(dir, 'none')}: cannot read (ENOENT)`);
  });
});

describe('CLI: run --crypto real --pcap --keys, then decode --keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhcpike-keys-'));

  it('writes pcap and keys; decode with the keys opens every SK and ESP', async () => {
    const pcap = join(dir, 'out.pcap');
    const keysFile = join(dir, 'out.keys');
    const r = io();
    expect(
      await main(['run', 'basic', '--method', 'mode-cfg', '--crypto', 'real', '--pcap', pcap, '--keys', keysFile], r),
    ).toBe(0);
    const d = io();
    expect(await main(['decode', pcap, '--keys', keysFile], d)).toBe(0);
    expect(d.lines).toHaveLength(8);
    expect(d.lines[3]).toMatch(/IKE_AUTH response #1 SK\{IDr, AUTH, CP\(CFG_REPLY\), SAr2, TSi, TSr\}$/);
    expect(d.lines.filter((l) => l.includes(' ESP ')).every((l) => /\(UDP \d+ → \d+/.test(l))).toBe(true);
    expect(d.lines.join('\n')).not.toContain('encrypted');
    const plain = io();
    expect(await main(['decode', pcap], plain)).toBe(0);
    expect(plain.lines[3]).toMatch(/SK\{…encrypted \d+ bytes\}$/);
  });

  it('--keys with modelled crypto is a usage error before anything runs; --crypto takes modelled|real', async () => {
    const pcap = join(dir, 'never.pcap');
    const t = io();
    expect(await main(['run', 'basic', '--pcap', pcap, '--keys', join(dir, 'never.keys')], t)).toBe(2);
    expect(t.errors.join('\n')).toContain('add --crypto real');
    expect(existsSync(pcap)).toBe(false);
    expect(existsSync(join(dir, 'never.keys'))).toBe(false);
    const u = io();
    expect(await main(['run', 'basic', '--crypto', 'rot13'], u)).toBe(2);
    expect(u.errors.join('\n')).toContain("--crypto: expected modelled or real, found 'rot13'");
    const v = io();
    expect(await main(['run', 'basic', '--crypto', 'real', '--option', 'crypto=modelled'], v)).toBe(2);
    expect(v.errors.join('\n')).toContain('--crypto real contradicts --option crypto=modelled');
  });

  it('--crypto real lands in the failure record, and replay reproduces the real-crypto run', async () => {
    const scenario = JSON.parse(readFileSync('scenarios/library/basic.json', 'utf8')) as Record<string, unknown>;
    scenario['expectations'] = [{ kind: 'metric', path: 'timeToAddressUs.median', max: 1000 }];
    const file = join(dir, 'strict.json');
    writeFileSync(file, JSON.stringify(scenario));
    const record = join(dir, 'failure.json');
    const t = io();
    expect(await main(['run', file, '--method', 'mode-cfg', '--crypto', 'real', '--record', record], t)).toBe(1);
    const saved = JSON.parse(readFileSync(record, 'utf8')) as { options: Record<string, unknown> };
    expect(saved.options['crypto']).toBe('real');
    const r = io();
    expect(await main(['replay', record], r)).toBe(0);
    expect(r.lines.at(-1)).toMatch(/^replay: digest matches/);
  });
});

describe('properties', () => {
  const hexOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map(toHex);
  const suiteName = fc.constantFrom(...(Object.keys(CIPHER_SUITES) as CipherSuiteName[]));
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
  /** A `crypto.keys` note as the nodes write it (models/ike/real-ike-crypto.ts keysNote), for any suite and keys. */
  const validNote = suiteName.chain((name) => {
    const suite = CIPHER_SUITES[name];
    const encr = hexOf(suite.keyLengthBits / 8 + (suite.aead ? 4 : 0));
    const integ = hexOf(suite.aead ? 0 : 32);
    return fc.oneof(
      fc.record({
        kind: fc.constant('ike'),
        spiI: hexOf(8),
        spiR: hexOf(8),
        suite: fc.constant(name as string),
        skEi: encr,
        skAi: integ,
        skEr: encr,
        skAr: integ,
      }),
      fc.record({
        kind: fc.constant('esp'),
        src: ipv4,
        dst: ipv4,
        spi: fc.nat(0xffffffff),
        suite: fc.constant(name as string),
        encrKey: encr,
        integKey: integ,
      }),
    );
  });
  const junkNote = fc.dictionary(
    fc.constantFrom(
      'kind',
      'spiI',
      'spiR',
      'suite',
      'skEi',
      'skAi',
      'skEr',
      'skAr',
      'src',
      'dst',
      'spi',
      'encrKey',
      'integKey',
    ),
    fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constantFrom('ike', 'esp', 'aes128gcm16', 'aes256-sha256')),
  );
  const notes = fc
    .array(fc.oneof(validNote, junkNote), { maxLength: 12 })
    .map((list) =>
      list.map((data, i): NoteEvent => ({ type: 'note', atUs: i, node: `n${i % 2}`, text: 'crypto.keys', data })),
    );

  test.prop([notes])(
    'any notes: never throws, one entry per SPI (pair), and the file reads back to the entries',
    (trace) => {
      const entries = keyEntriesOfTrace(trace);
      expect(new Set(entries.ike.map((e) => `${e.spiI}:${e.spiR}`)).size).toBe(entries.ike.length);
      expect(new Set(entries.esp.map((e) => e.spi)).size).toBe(entries.esp.length);
      const back = parseWiresharkKeys(wiresharkKeysText(entries));
      expect(back.errors).toEqual([]);
      expect({ ike: back.ike, esp: back.esp }).toEqual(entries);
    },
  );

  test.prop([fc.array(validNote, { minLength: 1, maxLength: 8 })])(
    'valid notes each give an entry (unless an SPI repeats) that the lookup finds',
    (datas) => {
      const trace = datas.map((data, i): NoteEvent => ({
        type: 'note',
        atUs: i,
        node: 'a',
        text: 'crypto.keys',
        data,
      }));
      const entries = keyEntriesOfTrace(trace);
      const ikeKeys = new Set(
        datas.flatMap((d) => (d.kind === 'ike' ? [`${String(d['spiI'])}:${String(d['spiR'])}`] : [])),
      );
      const espKeys = new Set(datas.flatMap((d) => (d.kind === 'esp' ? [Number(d['spi'])] : [])));
      expect(entries.ike).toHaveLength(ikeKeys.size);
      expect(entries.esp).toHaveLength(espKeys.size);
      const lookup = keyLookupOf(entries);
      for (const e of entries.ike) expect(lookup.ike(e.spiI.toUpperCase(), e.spiR)?.initiator).toBe(e.initiator);
      for (const e of entries.esp) expect(lookup.espOut(e.spi)?.keys).toBe(e.keys);
    },
  );
});
