/**
 * The methods' own code, counted by the lab (draft-richardson-ipsec-dhcp-over-ike-00 §4: "Unless the implementor is
 * able to take advantage of an existing DHCP client present on the OS, there is little savings in actual code").
 *
 * A registry per method of its module files (a path ending in `/` is every .ts file below it; one ending in `.ts` is
 * that file; any other path is a file-name prefix, `rfc3456/client` = client.ts, client-machine.ts, …): the modules the client
 * runs (`client`; the method's entry module, which wires both sides, is counted here) and those only the gateway runs
 * (`gateway`). The RFC 2131 client (`DHCP_CLIENT_MODULES`) is counted apart: it is the "existing DHCP client" a method
 * could take from the OS; the IKE initiator is shared by every method and not counted.
 *
 * Counts: `code` = lines that are neither blank nor only comment; `lines` = all lines. Node counts them from the files
 * (code-lines-node.ts); the browser reads method-code-lines.json, which test/scenarios/code-lines.test.ts recounts
 * from the files and fails when stale (`npx tsx scenarios/metrics/code-lines-node.ts --write` regenerates it).
 */
import generated from './method-code-lines.json' with { type: 'json' };

export interface FileCount {
  readonly lines: number;
  readonly code: number;
}

/** path (from the repository root) → counts. */
export type FileCounts = Readonly<Record<string, FileCount>>;

export interface MethodModules {
  readonly client: readonly string[];
  readonly gateway: readonly string[];
}

// Directories and name prefixes cover a method's machines and helpers; a module renamed or deleted fails
// test/scenarios/code-lines.test.ts, which says which (then regenerate the JSON: see code-lines-node.ts).
export const METHOD_MODULES: Readonly<Record<string, MethodModules>> = {
  'dhcp-over-ike': {
    client: ['models/methods/dhcp-over-ike.ts', 'models/methods/dhcp-carrier/'],
    gateway: ['models/methods/gateway-relay/', 'models/methods/lease-guard.ts'],
  },
  'dhcp-over-ike-wg': {
    client: ['models/methods/dhcp-over-ike-wg.ts', 'models/methods/dhcp-carrier/'],
    gateway: ['models/methods/gateway-relay/', 'models/methods/lease-guard.ts'],
  },
  'mode-cfg': {
    client: ['models/methods/mode-cfg.ts'],
    gateway: ['models/methods/address-pool.ts'],
  },
  'mode-cfg-dhcp': {
    // The client is mode-cfg's (modeCfgClient); the DHCP client runs in the gateway's proxy.
    client: ['models/methods/mode-cfg-dhcp.ts', 'models/methods/mode-cfg.ts'],
    gateway: ['models/methods/dhcp-proxy/', 'models/methods/lease-guard.ts'],
  },
  'dhcp-over-ipsec': {
    client: [
      'models/methods/dhcp-over-ipsec.ts',
      'models/methods/rfc3456/client',
      'models/methods/rfc3456/lease-config.ts',
      'models/methods/rfc3456/retransmit-watch.ts',
      'models/methods/rfc3456/selectors.ts',
    ],
    gateway: ['models/methods/rfc3456/relay.ts'],
  },
};

/** The RFC 2131 client every DHCP method's client runs (the part an OS DHCP client would replace). */
export const DHCP_CLIENT_MODULES: readonly string[] = [
  'models/dhcp/client-machine.ts',
  'models/dhcp/client-messages.ts',
  'models/dhcp/client-timers.ts',
  'models/dhcp/client-identity.ts',
];

/** Every module path the registry names (directories as given). */
export function registeredModulePaths(): string[] {
  const all = new Set<string>(DHCP_CLIENT_MODULES);
  for (const m of Object.values(METHOD_MODULES)) for (const p of [...m.client, ...m.gateway]) all.add(p);
  return [...all].sort();
}

/** Lines and code lines of one TypeScript source (block comments, `//` lines and blank lines are not code). */
export function countLines(text: string): FileCount {
  const rows = text.split('\n');
  if (rows.at(-1) === '') rows.pop();
  let code = 0;
  let inBlock = false;
  for (const raw of rows) {
    let line = raw.trim();
    let isCode = false;
    while (line !== '') {
      if (inBlock) {
        const end = line.indexOf('*/');
        if (end < 0) break;
        inBlock = false;
        line = line.slice(end + 2).trim();
      } else if (line.startsWith('//')) break;
      else if (line.startsWith('/*')) {
        inBlock = true;
        line = line.slice(2);
      } else {
        isCode = true;
        break;
      }
    }
    if (isCode) code++;
  }
  return { lines: rows.length, code };
}

/** The files a module path stands for, among the counted ones (a directory or a prefix: every file it starts). */
export function filesOf(path: string, counts: FileCounts): string[] {
  if (path.endsWith('.ts')) return Object.hasOwn(counts, path) ? [path] : [];
  return Object.keys(counts)
    .filter((f) => f.startsWith(path) && (path.endsWith('/') || !f.slice(path.length).includes('/')))
    .sort();
}

export interface CodeSize {
  readonly code: number;
  readonly lines: number;
  readonly files: readonly string[];
}

export function codeSize(paths: readonly string[], counts: FileCounts): CodeSize {
  const files = [...new Set(paths.flatMap((p) => filesOf(p, counts)))].sort();
  let code = 0;
  let lines = 0;
  for (const f of files) {
    code += counts[f]?.code ?? 0;
    lines += counts[f]?.lines ?? 0;
  }
  return { code, lines, files };
}

/** The counts shipped with the lab (generated from the files; test/scenarios/code-lines.test.ts keeps it fresh). */
export const GENERATED_COUNTS: FileCounts = (generated as { files: FileCounts }).files;

let source: FileCounts = GENERATED_COUNTS;

/** Node installs the counts it took from the files (code-lines-node.ts); the browser keeps the generated ones. */
export function setCodeCounts(counts: FileCounts): void {
  source = counts;
}

export function codeCounts(): FileCounts {
  return source;
}
