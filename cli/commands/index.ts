import type { CliCommand } from '../command.ts';

/** Every subcommand, in the order `dhcpike --help` lists them. */
export const commands: readonly CliCommand[] = [];
