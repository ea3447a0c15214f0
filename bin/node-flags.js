// The V8 heap flags the `dhcpike` commands that run scenarios start Node with. A storm allocates short-lived objects
// (events, packets, machine snapshots) faster than Node's default young generation (16 MB semi-spaces) lets them die:
// each scavenge copies whatever is still in flight, and what survives two is promoted into the old generation as
// garbage that only a full mark-compact frees. A 10,000-client storm spent about a third of its CPU in scavenges and
// its old generation grew to ~4× the live heap between two mark-compacts. Larger semi-spaces let most of those
// objects die young (less copying, less promoted garbage); a lower heap growing factor starts the next mark-compact
// sooner. Plain JS with no imports beyond node: modules, so bin/dhcpike.js can decide before it loads anything.
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';

/** Semi-space size (MB) of the young generation: the young generation is 3 × this at most. */
export const SEMI_SPACE_MB = 64;
/** The old generation may grow to (1 + this / 100) × the live heap after a mark-compact (V8's default is dynamic, up to 4×). */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Above this many clients the growing factor shrinks as 1 / clients (`heapGrowingPercentFor`): the old generation's
 * room for garbage between two mark-compacts stays about constant in bytes instead of growing with the live heap. A
 * 30,000-client mode-cfg storm had ~370 MB live and peaked at ~800 MB (old generation 2× live, plus the young
 * generation); 100,000 clients, ~1.2 GB live, peaked at ~2.4 GB. At 100,000 the factor is 1.25: a peak near 1.25 ×
 * live + young, for about twice as many mark-compacts (each marks the live heap: ~0.1 s per 400 MB here).
 */
export const HEAP_GROWING_CLIENTS = 25_000;
/** The least growing percent `heapGrowingPercentFor` gives (Node's limit on the scenario's clients is 100,000). */
export const HEAP_GROWING_PERCENT_MIN = 20;

/** The heap growing percent for a run of `clients` clients: HEAP_GROWING_PERCENT up to HEAP_GROWING_CLIENTS, less above. */
export function heapGrowingPercentFor(clients) {
  if (!(clients > HEAP_GROWING_CLIENTS)) return HEAP_GROWING_PERCENT;
  const scaled = Math.floor((HEAP_GROWING_PERCENT * HEAP_GROWING_CLIENTS) / clients);
  return Math.max(HEAP_GROWING_PERCENT_MIN, scaled);
}

/**
 * Sets the heap growing percent for a run of `clients` clients (V8 reads it at every mark-compact, so setting it once
 * the scenario is known takes effect at the next one), when this process runs with the flags given here (the
 * re-executed `dhcpike` command, the storm bench); a process started with its own flags, or without any, is left as
 * it is. Returns the percent set, or null.
 */
export function applyHeapGrowingFor(clients, execArgv = process.execArgv) {
  if (!execArgv.includes(HEAP_FLAGS[1])) return null;
  const percent = heapGrowingPercentFor(clients);
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}

/** The flags, unless the caller already gives its own (then Node's command line, or NODE_OPTIONS, wins). */
export const HEAP_FLAGS = [`--max-semi-space-size=${SEMI_SPACE_MB}`, `--heap-growing-percent=${HEAP_GROWING_PERCENT}`];

/**
 * The commands that run scenarios in this process (the others parse, print or decode and exit in milliseconds; sweep
 * and vopr run theirs in worker threads, whose heaps are their pools' to size).
 */
export const HEAVY_COMMANDS = ['run', 'compare', 'claims', 'replay'];

/** Set in the re-executed child (and by anyone who wants Node's defaults): no second re-execution. */
export const FLAGS_ENV = 'DHCPIKE_NODE_FLAGS';

/**
 * The flags to re-execute with, or null to run in this process: the command does not run scenarios, the flags were
 * applied already (DHCPIKE_NODE_FLAGS=applied) or turned off (DHCPIKE_NODE_FLAGS=0), or Node was started with its own
 * young-generation or heap-growing flag.
 */
export function reexecFlags(argv, execArgv, env) {
  const command = argv[0];
  if (command === undefined || !HEAVY_COMMANDS.includes(command)) return null;
  if (argv.includes('--help') || argv.includes('-h')) return null;
  if (env[FLAGS_ENV] === 'applied' || env[FLAGS_ENV] === '0') return null;
  const own = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (own.some((a) => /^--(max-semi-space-size|semi-space-size|heap-growing-percent)\b/.test(a.replace(/_/g, '-'))))
    return null;
  return HEAP_FLAGS;
}

/**
 * Runs `script` again in a child Node with `flags` (same arguments, terminals and environment) and returns its exit
 * status; a child killed by a signal kills this process with the same signal, as if it had been killed itself.
 */
export function reexec(script, flags) {
  const child = spawnSync(process.execPath, [...flags, ...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [FLAGS_ENV]: 'applied' },
  });
  if (child.error) throw child.error;
  if (child.signal) process.kill(process.pid, child.signal);
  return child.status ?? 1;
}
