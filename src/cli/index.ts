// The command line: commander with the commands argv asks for (cli/commands.ts), and its errors.
import { Command, CommanderError } from 'commander';
import { isPortaError } from '../errors.js';
import { COMMANDS, type CommandEntry } from './commands.js';
import { exitQuietlyOnClosedPipe } from './quiet-pipe.js';
import { PACKAGE_VERSION } from './version.js';

/**
 * `porta` with `commands` (default: every one, in the order the help lists them); nothing runs
 * until it parses argv.
 */
export async function createProgram(
  commands: readonly CommandEntry[] = COMMANDS,
): Promise<Command> {
  const program = new Command('porta')
    .description(
      'A web server on node:net: static files, reverse proxy, fetch-handler apps, port forwarding, echo.',
    )
    .version(PACKAGE_VERSION, '-v, --version', 'print the version and exit')
    .exitOverride();
  const adders = await Promise.all(commands.map((entry) => entry.load()));
  for (const add of adders) add(program);
  oneLineErrors(program, 'porta --help');
  for (const command of program.commands) {
    oneLineErrors(command, `porta ${command.name()} --help`);
  }
  return program;
}

/**
 * The commands argv needs: `porta serve ...` only serve's module (and what it runs); the help,
 * `porta help`, an unknown command or a bare option need them all, to list or suggest them.
 */
export function commandsFor(argv: readonly string[]): readonly CommandEntry[] {
  const first = argv[0];
  const entry = COMMANDS.find((candidate) => candidate.names.includes(first ?? ''));
  return entry === undefined ? COMMANDS : [entry];
}

export async function main(argv: readonly string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
  try {
    const program = await createProgram(commandsFor(argv));
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

/**
 * A usage mistake is one line on stderr, `porta: <what> (see porta serve --help)`, not the
 * whole help: the mistake stays visible, and the help is one command away.
 */
function oneLineErrors(command: Command, helpHint: string): void {
  command.configureOutput({
    outputError: (text, write) => {
      const message = text
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim();
      write(`porta: ${message} (see ${helpHint})\n`);
    },
  });
}

/** Prints a failure the way a user can act on it: no stack trace for errors we expected. */
function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed the message (or the help/version it was asked for).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isPortaError(error)) {
    process.stderr.write(`porta: ${error.message}\n`);
    return error.code === 'PORTA_USAGE' || error.code === 'PORTA_ADDRESS_INVALID' ? 2 : 1;
  }
  process.stderr.write(
    `porta: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
