// The command line: one command per file, each building a Config and running the same path.
import { Command, CommanderError } from 'commander';
import type { ConfigInput } from '../config/schema.js';
import { isPortaError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { addAppCommand } from './app.js';
import { addControlCommands } from './control.js';
import { addCheckCommand } from './check.js';
import { addEchoCommand } from './echo.js';
import { addForwardCommand } from './forward.js';
import { addHashPasswordCommand } from './hash-password.js';
import { exitQuietlyOnClosedPipe } from './quiet-pipe.js';
import { printConfig, runServer } from './run-server.js';
import { addRunCommand } from './run.js';
import { addSchemaCommand } from './schema.js';
import { addProxyCommand } from './proxy.js';
import { type ServeConfig, type ServeInfo, addServeCommand } from './serve.js';
import { addTrustCommand } from './trust.js';
import { openBrowser } from './open-browser.js';
import { PACKAGE_VERSION } from './version.js';

/** `porta` with every command; nothing runs until it parses argv. */
export function createProgram(): Command {
  const program = new Command('porta')
    .description(
      'A web server on node:net: static files, reverse proxy, fetch-handler apps, port forwarding, echo.',
    )
    .version(PACKAGE_VERSION, '-v, --version', 'print the version and exit')
    .exitOverride();
  const run = (config: ConfigInput) => runServer({ kind: 'input', input: config });
  addRunCommand(program);
  addCheckCommand(program);
  addSchemaCommand(program);
  addServeCommand(program, serve, printConfig);
  addEchoCommand(program, run, printConfig);
  addProxyCommand(program, run, printConfig);
  addForwardCommand(program, run, printConfig);
  addAppCommand(
    program,
    (config, options) => runServer({ kind: 'input', input: config }, options),
    printConfig,
  );
  addControlCommands(program);
  addHashPasswordCommand(program);
  addTrustCommand(program);
  oneLineErrors(program, 'porta --help');
  for (const command of program.commands) {
    oneLineErrors(command, `porta ${command.name()} --help`);
  }
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
  try {
    await createProgram().parseAsync([...argv], { from: 'user' });
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

function serve(config: ServeConfig, info: ServeInfo): Promise<void> {
  return runServer(
    { kind: 'input', input: config },
    {
      onStarted: (urls) => {
        if (info.hint !== null) {
          createLogger({ level: config.log?.level ?? 'info', path: 'stderr' }).info(info.hint);
        }
        if (info.openBrowser) openBrowser(urls);
      },
    },
  );
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
