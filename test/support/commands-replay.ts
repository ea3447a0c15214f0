/**
 * Replaying a failed `fc.commands` run needs, besides FC_SEED and FC_PATH (test/setup/fast-check.ts), the command
 * list's own `replayPath` — fast-check prints it in the counterexample as `/*replayPath="…"*\/`. Pass it as
 * FC_REPLAY_PATH: `FC_SEED=… FC_PATH=… FC_REPLAY_PATH='…' npx vitest run <file> -t <name>`.
 */
export function commandsReplayPath(): { readonly replayPath?: string } {
  const replayPath = process.env['FC_REPLAY_PATH'];
  return replayPath === undefined ? {} : { replayPath };
}
