// Types of bin/node-flags.js for the TypeScript that reads it (tests).
export const SEMI_SPACE_MB: number;
export const HEAP_GROWING_PERCENT: number;
export const HEAP_FLAGS: readonly string[];
export const HEAVY_COMMANDS: readonly string[];
export const FLAGS_ENV: string;
export function reexecFlags(
  argv: readonly string[],
  execArgv: readonly string[],
  env: NodeJS.ProcessEnv,
): readonly string[] | null;
export function reexec(script: string, flags: readonly string[]): number;
export const HEAP_GROWING_CLIENTS: number;
export const HEAP_GROWING_PERCENT_MIN: number;
export function heapGrowingPercentFor(clients: number): number;
export function applyHeapGrowingFor(clients: number, execArgv?: readonly string[]): number | null;
