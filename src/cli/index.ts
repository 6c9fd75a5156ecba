// The command line: one command per file, each building a Config and running the same path.
import { Command, CommanderError } from 'commander';
import { isPortaError } from '../errors.js';
import { addControlCommands } from './control.js';
import { addCheckCommand } from './check.js';
import { addEchoCommand } from './echo.js';
import { addForwardCommand } from './forward.js';
import { addHashPasswordCommand } from './hash-password.js';
import { printConfig, runServer } from './run-server.js';
import { addRunCommand } from './run.js';
import { addSchemaCommand } from './schema.js';
import { addProxyCommand } from './proxy.js';
import { addServeCommand } from './serve.js';
import { addTrustCommand } from './trust.js';
import { openBrowser } from './open-browser.js';
import { PACKAGE_VERSION } from './version.js';

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('porta')
    .description('A web server on node:net: static files, echo, and more.')
    .version(PACKAGE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  const run = (config: Parameters<typeof runServer>[0]) => runServer(config);
  addRunCommand(program);
  addCheckCommand(program);
  addSchemaCommand(program);
  addServeCommand(
    program,
    (config, info) =>
      runServer(
        config,
        info.openBrowser
          ? {
              onStarted: (urls) => {
                openBrowser(urls);
              },
            }
          : {},
      ),
    printConfig,
  );
  addEchoCommand(program, run, printConfig);
  addProxyCommand(program, run, printConfig);
  addForwardCommand(program, run, printConfig);
  addControlCommands(program);
  addHashPasswordCommand(program);
  addTrustCommand(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    process.exitCode = reportError(error);
  }
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
