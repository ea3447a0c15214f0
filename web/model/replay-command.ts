/**
 * The command that reproduces a browser run in a terminal (`npx dhcpike run …`): the same scenario, method, seed,
 * options and parameters give the same traceSha256 (web/runner.ts runs the CLI's code). Link edits and targeted
 * drops have no flag; the command says so, and the scenario export carries them.
 */
export interface ReplayInput {
  readonly scenario: string;
  readonly method: string;
  readonly seed: number;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** The run has link edits or targeted drops on top of the scenario. */
  readonly edited: boolean;
}

/** Single-quotes a word for a POSIX shell when it holds anything but safe characters. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_./=:,@+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

export function replayCommand(r: ReplayInput): string {
  const words = ['npx', 'dhcpike', 'run', r.scenario, '--method', r.method, '--seed', String(r.seed)];
  for (const [k, v] of Object.entries(r.options).sort(([a], [b]) => a.localeCompare(b)))
    words.push('--option', `${k}=${String(v)}`);
  for (const [k, v] of Object.entries(r.params).sort(([a], [b]) => a.localeCompare(b)))
    words.push('--param', `${k}=${String(v)}`);
  const cmd = words.map(shellWord).join(' ');
  return r.edited ? `${cmd}   # plus this page's link edits and drops (not expressible as flags)` : cmd;
}
