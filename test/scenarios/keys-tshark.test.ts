/**
 * Wireshark opens a real-crypto run with the keys the lab exports (issue 17): for every method's `basic`, the pcap
 * and the keys file `dhcpike run --pcap --keys` write, read by tshark with the README's one command
 * (scenarios/keys-export.ts `tsharkCommand`). Every IKE message after IKE_SA_INIT is decrypted, every ESP packet
 * opens to its inner IPv4/UDP packet, the CP attributes and the DHCP inside ESP are dissected, and tshark reports
 * no malformed frame and no expert warning.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcapOf } from '../../cli/commands/run.ts';
import { keyEntriesOfTrace, tsharkCommand, wiresharkKeysText } from '../../scenarios/keys-export.ts';
import { loadScenarioOrThrow } from '../../scenarios/load.ts';
import type { MethodId } from '../../scenarios/method-registry.ts';
import { runScenario } from '../../scenarios/run.ts';

const TSHARK = '/usr/bin/tshark';

const METHODS: readonly MethodId[] = [
  'dhcp-over-ike',
  'dhcp-over-ike-wg',
  'mode-cfg',
  'mode-cfg-dhcp',
  'dhcp-over-ipsec',
];
const IKE_SA_INIT = '34';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Every value of `key` anywhere under `node` (with --no-duplicate-keys a repeated field is an array: flattened). */
function all(node: Json, key: string, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const x of node) all(x, key, out);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) {
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
      }
      all(v, key, out);
    }
  }
  return out;
}

interface Frame {
  readonly number: string;
  readonly protocols: string;
  readonly layers: { [key: string]: Json };
}

function sh(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function exportRun(method: MethodId): { pcap: string; keys: string; sent: number } {
  const s = loadScenarioOrThrow('basic', { options: { crypto: 'real' } });
  const r = runScenario(s, { method, keepTrace: true });
  expect(r.ok).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), `keys-tshark-${method}-`));
  const pcap = join(dir, 'out.pcap');
  const keys = join(dir, 'out.keys');
  writeFileSync(pcap, pcapOf(r.trace));
  writeFileSync(keys, wiresharkKeysText(keyEntriesOfTrace(r.trace)));
  return { pcap, keys, sent: r.trace.filter((e) => e.type === 'send').length };
}

// Fails (does not skip) when tshark is missing, as the other tshark tests do: CI installs it.
describe("tshark decrypts every method's basic run with the exported keys", () => {
  it('tshark is installed (apt-get install tshark)', () => {
    expect(existsSync(TSHARK), `${TSHARK} does not exist: install the tshark package`).toBe(true);
  });

  for (const method of METHODS) {
    it(method, () => {
      const { pcap, keys, sent } = exportRun(method);
      const command = tsharkCommand(pcap, keys);
      const json = JSON.parse(sh(`${command} -T json --no-duplicate-keys 2>/dev/null`)) as {
        _source: { layers: { [key: string]: Json } };
      }[];
      const frames: Frame[] = json.map((f) => {
        const layers = f._source.layers;
        return {
          number: String(all(layers, 'frame.number')[0]),
          protocols: String(all(layers, 'frame.protocols')[0]),
          layers,
        };
      });
      expect(frames).toHaveLength(sent);

      // IKE: every message after IKE_SA_INIT carries SK (RFC 7296 §3.14) and tshark decrypted it.
      const ike = frames.filter((f) => f.protocols.endsWith(':isakmp'));
      const encrypted = ike.filter(
        (f) => String(all(f.layers['isakmp'] ?? null, 'isakmp.exchangetype')[0]) !== IKE_SA_INIT,
      );
      expect(encrypted.length).toBeGreaterThanOrEqual(2);
      const undecrypted = encrypted.filter((f) => all(f.layers, 'isakmp.enc.decrypted').length !== 1);
      expect(undecrypted.map((f) => f.number)).toEqual([]);
      // Its contents were dissected (at least one payload inside every SK of a request or response with payloads).
      const authExchanges = encrypted.filter((f) => all(f.layers, 'isakmp.exchangetype')[0] === '35');
      for (const f of authExchanges) expect(all(f.layers, 'isakmp.enc.contained').length).toBe(1);

      // ESP: every packet opened to an inner IPv4 packet with its transport (RFC 4303 §2.6 next header 4).
      const esp = frames.filter((f) => f.protocols.startsWith('raw:ip:esp'));
      expect(esp.length).toBeGreaterThanOrEqual(2);
      const unopened = esp.filter(
        (f) => !/^raw:ip:esp:ip:(udp|icmp)/.test(f.protocols) || all(f.layers, 'esp.decrypted_data').length !== 1,
      );
      expect(unopened.map((f) => `${f.number} ${f.protocols}`)).toEqual([]);

      // The address the method delivers, as tshark shows it.
      const cpAddresses = all(json as Json, 'isakmp.cfg.attr.internal_ip4_address');
      if (method === 'mode-cfg') expect(cpAddresses).toEqual(['10.99.0.1']);
      if (method === 'mode-cfg-dhcp') expect(cpAddresses).toEqual(['10.99.1.10']);
      if (method === 'dhcp-over-ipsec') {
        // RFC 3456: DHCP through the DHCP SA — DISCOVER, OFFER, REQUEST, ACK inside ESP.
        const dhcpInEsp = esp.filter((f) => f.protocols === 'raw:ip:esp:ip:udp:dhcp');
        expect(dhcpInEsp.map((f) => String(all(f.layers, 'dhcp.option.dhcp')[0]))).toEqual(['1', '2', '3', '5']);
      }

      // No malformed frame, no expert warning or error.
      expect(sh(`${command} -Y '_ws.malformed || _ws.expert.severity >= "Warning"' 2>/dev/null`)).toBe('');
    });
  }
});
