import { commands } from './commands/index.ts';
import { EXIT_BAD_INPUT, EXIT_OK, type CliIo } from './command.ts';

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTty: process.stdout.isTTY === true,
};

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'dhcpike — a deterministic lab for DHCP over IKE, mode-cfg and DHCP over IPsec',
    '',
    'usage: dhcpike COMMAND [options]    (dhcpike COMMAND --help for its options)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`dhcpike: unknown command '${name}'\n\n${helpText()}`);
    return EXIT_BAD_INPUT;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return EXIT_OK;
  }
  return command.run(rest, io);
}
