/** One `dhcpike` subcommand. `run` returns the process exit code: 0 ok, 1 expectations failed, 2 bad input. */
export interface CliCommand {
  readonly name: string;
  /** One line for `dhcpike --help`. */
  readonly summary: string;
  /** The full text for `dhcpike NAME --help`. */
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** True when stdout is a terminal (tables may be coloured). */
  readonly isTty: boolean;
  /** True when stderr is a terminal (a progress line may be drawn there). Absent: false. */
  readonly errIsTty?: boolean;
  /** Writes to stderr without a newline (a progress line redrawn in place). Absent: progress uses `err`. */
  errWrite?(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_EXPECTATIONS_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
