import type { CliCommand } from '../command.ts';
import { claimsCommand } from './claims.ts';
import { compareCommand } from './compare.ts';
import { decodeCommand } from './decode.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';
import { scenariosCommand } from './scenarios.ts';
import { schemaCommand } from './schema.ts';
import { sweepCommand } from './sweep.ts';
import { voprCommand } from './vopr.ts';

/** Every subcommand, in the order `dhcpike --help` lists them. */
export const commands: readonly CliCommand[] = [
  runCommand,
  compareCommand,
  sweepCommand,
  voprCommand,
  claimsCommand,
  scenariosCommand,
  schemaCommand,
  replayCommand,
  decodeCommand,
];
