/**
 * A real Kea DHCPv4 server on loopback for the `external` DHCP server tests: a config written from a scenario's DHCP
 * server (the same pools, lease times and options the lab's own server is given), started in a temporary directory
 * and stopped again. Kea listens on 127.0.0.1:67 and answers relayed messages to the bridge's relay address
 * (127.0.0.2:67, scenarios/external/udp-exchange.ts). CI installs `kea-dhcp4-server` (.ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../../scenarios/load.ts';

export const KEA_BINARY = '/usr/sbin/kea-dhcp4';
const RELAY_ADDRESS = '127.0.0.2';

/** Kea's Dhcp4 configuration for the scenario's first enterprise DHCP server. */
export function keaConfigFor(s: Scenario): object {
  const server = s.topology.dhcpServers[0];
  if (server === undefined) throw new Error(`${s.name}: no DHCP server to mirror`);
  const serverId = server.address.split('/')[0] ?? '';
  return {
    Dhcp4: {
      'interfaces-config': { interfaces: ['lo/127.0.0.1'], 'dhcp-socket-type': 'udp' },
      'lease-database': { type: 'memfile', persist: false },
      subnet4: server.pools.map((p, i) => ({
        id: i + 1,
        subnet: p.subnet,
        pools: [{ pool: `${p.rangeStart} - ${p.rangeEnd}` }],
        'valid-lifetime': p.leaseSecs,
        ...(p.t1Secs === undefined ? {} : { 'renew-timer': p.t1Secs }),
        ...(p.t2Secs === undefined ? {} : { 'rebind-timer': p.t2Secs }),
        // Chosen by RFC 3527 link-selection when a message carries it; else by the relay address (the bridge's).
        ...(i === 0 ? { relay: { 'ip-addresses': [RELAY_ADDRESS] } } : {}),
        'option-data': [
          // Option 54 as the lab's server sends it: its simulated address (clients unicast renewals there).
          { name: 'dhcp-server-identifier', data: serverId },
          ...(p.dns.length > 0 ? [{ name: 'domain-name-servers', data: p.dns.join(', ') }] : []),
          ...(p.router === undefined ? [] : [{ name: 'routers', data: p.router }]),
        ],
      })),
      loggers: [{ name: 'kea-dhcp4', output_options: [{ output: 'stdout' }], severity: 'INFO' }],
    },
  };
}

export interface RunningKea {
  readonly log: () => string;
  /** Resolves true once Kea's log has `text` (its output arrives while the event loop turns), false after 5 s. */
  logged(text: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** Starts Kea with the config and waits (≤ 15 s) until it says it serves; throws with its log otherwise. */
export async function startKea(config: object): Promise<RunningKea> {
  if (!existsSync(KEA_BINARY)) throw new Error(`${KEA_BINARY} is missing: apt-get install kea-dhcp4-server`);
  const dir = mkdtempSync(join(tmpdir(), 'dhcpike-kea-'));
  const configPath = join(dir, 'kea-dhcp4.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  let output = '';
  const child: ChildProcess = spawn(KEA_BINARY, ['-c', configPath], {
    env: { ...process.env, KEA_LOCKFILE_DIR: dir, KEA_PIDFILE_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!output.includes('DHCP4_STARTED')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Kea did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    log: () => output,
    logged: async (text) => {
      const until = Date.now() + 5_000;
      while (!output.includes(text) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return output.includes(text);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
