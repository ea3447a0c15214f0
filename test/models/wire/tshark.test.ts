/**
 * Wireshark as the reference reader: a pcap with one packet of every kind the codecs emit must dissect with no
 * malformed packet and no expert info at Warning or above. Fails (does not skip) when tshark is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeWireSample } from '../../../scripts/wire-sample.ts';

const TSHARK = '/usr/bin/tshark';

function tshark(args: readonly string[]): string {
  if (!existsSync(TSHARK)) {
    throw new Error(
      `tshark is required for this test but ${TSHARK} does not exist: install the tshark package (apt-get install tshark)`,
    );
  }
  return execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('wire sample under tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wire-sample-'));
  const file = join(dir, 'sample.pcap');
  const count = writeWireSample(file);

  it('holds every kind', () => {
    expect(count).toBeGreaterThanOrEqual(8 + 3);
    const protocols = tshark(['-r', file, '-T', 'fields', '-e', 'frame.protocols']).trim().split('\n');
    expect(protocols.length).toBe(count);
    expect(protocols.filter((p) => p.endsWith(':dhcp')).length).toBe(8);
    expect(protocols.filter((p) => p.includes(':isakmp')).length).toBeGreaterThan(10);
    expect(protocols.filter((p) => p.endsWith(':esp')).length).toBe(2);
    const types = tshark(['-r', file, '-Y', 'dhcp', '-T', 'fields', '-e', 'dhcp.option.dhcp']).trim().split('\n');
    expect(types).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    const subOptions = tshark([
      '-r',
      file,
      '-Y',
      'frame.number == 1',
      '-T',
      'fields',
      '-e',
      'dhcp.option.agent_information_option.agent_circuit_id',
      '-e',
      'dhcp.option.agent_information_option.link_selection',
      '-e',
      'dhcp.option.agent_information_option.server_id_override',
    ]).trim();
    expect(subOptions).toBe('6777313a696b652d73612d30303031\t10.1.0.0\t192.0.2.1');
  });

  it('dissects with no malformed packet and no warning', () => {
    const problems = tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert.severity >= "Warning"']);
    expect(problems).toBe('');
  });
});
