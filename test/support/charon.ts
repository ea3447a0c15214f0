/**
 * A real strongSwan gateway (charon) for the `external` gateway kind's tests: a network namespace made for the run
 * with a veth pair (host side `hostAddress`, the namespace side `gatewayAddress`), charon started inside it with its own
 * strongswan.conf (its plugins listed, `load_modular = no`; kernel-libipsec for the IPsec SAs, since this kernel has
 * XFRM but no ESP, kernel-netlink for addresses and routes), its log in a file, its vici socket in
 * a temporary directory, and a swanctl.conf loaded with `swanctl --load-all`: one IKEv2 connection with PSK
 * authentication both ways and a virtual-IP pool. Stopped again, and the namespace deleted, by `stop()`.
 *
 * Needs root (namespaces, port 500) and the packages .ci/run installs (strongswan-charon, strongswan-swanctl,
 * libcharon-extra-plugins for kernel-libipsec, libstrongswan-standard-plugins for AES-GCM and OpenSSL).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHARON_BINARY = '/usr/lib/ipsec/charon';
export const SWANCTL_BINARY = '/usr/sbin/swanctl';

export interface CharonOptions {
  /** The host side of the veth pair: the lab's bridge sends from here (so the lab's client has this address). */
  readonly hostAddress: string;
  /** charon's address, inside the namespace (the lab's gateway has this address). */
  readonly gatewayAddress: string;
  readonly prefixLength: number;
  /** charon's IKE identity (ID_FQDN): the lab's client expects `<gateway name>.example.com` (scenarios/build.ts). */
  readonly gatewayId: string;
  /** The client's identity: the lab's `<client name>@example.com` (ID_RFC822_ADDR, scenarios/build.ts). */
  readonly clientId: string;
  /**
   * The pre-shared key, as a string whose UTF-8 bytes are the key. The lab names its PSKs `psk-<client name>`
   * (scenarios/build.ts); with real crypto (`crypto: real`) the key's bytes are that name's UTF-8 bytes, so the
   * default here is `psk-client1`.
   */
  readonly psk: string;
  /** The pool charon hands virtual IPs from (RFC 7296 §2.19 INTERNAL_IP4_ADDRESS). */
  readonly pool: string;
}

export const DEFAULT_CHARON_OPTIONS: CharonOptions = {
  hostAddress: '192.168.77.2',
  gatewayAddress: '192.168.77.1',
  prefixLength: 24,
  gatewayId: 'gw.example.com',
  clientId: 'client1@example.com',
  psk: 'psk-client1',
  pool: '10.40.0.0/24',
};

/** Why charon cannot run here, or undefined when it can. */
export function charonUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `charon runs on Linux only (here: ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: network namespaces and port 500 need root';
  if (!existsSync(CHARON_BINARY)) return `${CHARON_BINARY} is missing: apt-get install strongswan-charon`;
  if (!existsSync(SWANCTL_BINARY)) return `${SWANCTL_BINARY} is missing: apt-get install strongswan-swanctl`;
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` does not work here (iproute2, root)';
  return undefined;
}

export interface RunningCharon {
  readonly options: CharonOptions;
  readonly logPath: string;
  /** charon's log so far (filelog: `ike 2, cfg 2, enc 1`). */
  log(): string;
  /** Resolves true once the log matches (charon writes it from its own threads), false after `waitMs`. */
  logged(pattern: RegExp, waitMs?: number): Promise<boolean>;
  /** Whether charon logged an IKE SA as established (`IKE_SA lab[1] established between …`). */
  established(waitMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * strongswan.conf: only the plugins the connection needs, in charon's own directory. strongSwan 5.9.8's kernel-libipsec
 * needs UDP encapsulation for ESP, so charon fakes a NAT in its NAT_DETECTION_SOURCE_IP (its log: "faking NAT
 * situation to enforce UDP encapsulation"); no 5.9.8 option turns that off (raw ESP came later).
 */
function strongswanConf(dir: string): string {
  const vici = `unix://${join(dir, 'charon.vici')}`;
  return `charon {
  load_modular = no
  load = random nonce aes sha1 sha2 hmac gcm curve25519 openssl pem pkcs1 x509 pubkey kdf socket-default vici kernel-libipsec kernel-netlink attr
  # The namespace is the test's: charon installs no routes or addresses of its own there.
  install_routes = no
  install_virtual_ip = no
  port = 500
  port_nat_t = 4500
  filelog {
    lab {
      path = ${join(dir, 'charon.log')}
      time_format = %T
      default = 1
      ike = 2
      cfg = 2
      enc = 1
      flush_line = yes
    }
  }
  # No syslog: the test's file is the log.
  syslog {
    daemon {
      default = -1
    }
  }
  plugins {
    vici {
      socket = ${vici}
    }
  }
}
swanctl {
  load = pem pkcs1 x509 pubkey
  socket = ${vici}
}
`;
}

/** swanctl.conf: IKEv2, PSK both ways, the proposals the lab offers (RFC 7296 §3.3), a pool for the client's CP. */
function swanctlConf(o: CharonOptions): string {
  return `connections {
  lab {
    version = 2
    local_addrs = ${o.gatewayAddress}
    proposals = aes128gcm16-prfsha256-x25519-ecp256, aes128-sha256-x25519-ecp256
    pools = lab-pool
    local {
      auth = psk
      id = ${o.gatewayId}
    }
    remote {
      auth = psk
      id = ${o.clientId}
    }
    children {
      lab {
        local_ts = 0.0.0.0/0
        esp_proposals = aes128gcm16, aes128-sha256
      }
    }
  }
}
pools {
  lab-pool {
    addrs = ${o.pool}
  }
}
secrets {
  ike-lab {
    id-gw = ${o.gatewayId}
    id-client = ${o.clientId}
    secret = "${o.psk}"
  }
}
`;
}

function run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...(env ? { env } : {}) });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Creates the namespace and veth pair, starts charon in it and loads the connection; throws with charon's log. */
export async function startCharon(partial: Partial<CharonOptions> = {}): Promise<RunningCharon> {
  const o = { ...DEFAULT_CHARON_OPTIONS, ...partial };
  const tag = `${process.pid % 100_000}`;
  const ns = `dhcpike-charon-${tag}`;
  const hostIf = `dhk${tag}h`;
  const nsIf = `dhk${tag}n`;
  const dir = mkdtempSync(join(tmpdir(), 'dhcpike-charon-'));
  const logPath = join(dir, 'charon.log');
  const confPath = join(dir, 'strongswan.conf');
  const swanctlDir = join(dir, 'swanctl');
  mkdirSync(swanctlDir);
  writeFileSync(confPath, strongswanConf(dir));
  writeFileSync(join(swanctlDir, 'swanctl.conf'), swanctlConf(o));
  const env = { ...process.env, STRONGSWAN_CONF: confPath };
  const log = (): string => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  let child: ChildProcess | undefined;
  let output = '';
  const teardown = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // Deleting the namespace deletes its end of the veth pair, and with it the host's end.
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', hostIf]);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // A namespace left by a run of the same pid that was killed: start clean.
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', hostIf]);
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run('ip', ['link', 'set', nsIf, 'netns', ns]);
    run('ip', ['addr', 'add', `${o.hostAddress}/${o.prefixLength}`, 'dev', hostIf]);
    run('ip', ['link', 'set', hostIf, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${o.gatewayAddress}/${o.prefixLength}`, 'dev', nsIf]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);

    child = spawn('ip', ['netns', 'exec', ns, CHARON_BINARY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const vici = join(dir, 'charon.vici');
    const deadline = Date.now() + 15_000;
    while (!existsSync(vici)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`charon did not start`);
      await sleep(50);
    }
    output += run(SWANCTL_BINARY, ['--load-all', '--noprompt', '--file', join(swanctlDir, 'swanctl.conf')], env);
    // An address that only just came up may still be tentative for a moment; charon's socket is bound to any.
    await sleep(200);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await teardown();
    throw new Error(`${message}\n--- charon output ---\n${output}\n--- charon log ---\n${log()}`, { cause: e });
  }

  const logged = async (pattern: RegExp, waitMs = 5_000): Promise<boolean> => {
    const until = Date.now() + waitMs;
    while (!pattern.test(log()) && Date.now() < until) await sleep(20);
    return pattern.test(log());
  };
  return {
    options: o,
    logPath,
    log,
    logged,
    established: (waitMs) => logged(/IKE_SA \S+\[\d+\] established between/, waitMs),
    stop: teardown,
  };
}
