import { commands } from './commands/index.ts';
import { EXIT_BAD_INPUT, EXIT_OK, type CliIo } from './command.ts';

/** Set once the reader of stdout has gone (`dhcpike run … | head -1`): later lines are dropped, not written. */
let stdoutClosed = false;

/** A write error that only means the reader stopped reading. */
export function isClosedPipe(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * The reader of a pipe closed early: exit quietly with status 0, as a command killed by SIGPIPE would in a shell
 * pipeline, instead of an unhandled 'error' event and its stack trace. Any other stream error is rethrown.
 */
export function onOutputError(e: unknown, exit: (code: number) => void = (code) => process.exit(code)): void {
  if (!isClosedPipe(e)) throw e;
  stdoutClosed = true;
  exit(0);
}

let watching = false;
function watchOutput(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e) => onOutputError(e));
  process.stderr.on('error', (e) => onOutputError(e));
}

const processIo: CliIo = {
  out: (line) => {
    if (!stdoutClosed) process.stdout.write(`${line}\n`);
  },
  err: (line) => process.stderr.write(`${line}\n`),
  isTty: process.stdout.isTTY === true,
  errIsTty: process.stderr.isTTY === true,
  errWrite: (text) => process.stderr.write(text),
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
  if (io === processIo) watchOutput();
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
