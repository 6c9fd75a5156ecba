// `porta reload` and `porta stop`: find the running server by its pid file and signal it.
import type { Command } from 'commander';
import { PortaError } from '../errors.js';
import { defaultPidFile, isRunning, readPidFile } from '../process/pid-file.js';

interface ControlFlags {
  readonly config: string;
  readonly pidFile?: string;
}

function findServer(flags: ControlFlags): number {
  const path = flags.pidFile ?? defaultPidFile(flags.config);
  const pid = readPidFile(path);
  if (pid === null) {
    throw new PortaError(
      'PORTA_USAGE',
      `no running porta found for ${flags.config} (no pid file at ${path}); is \`porta run -c ${flags.config}\` running? Use --pid-file if it was given one.`,
    );
  }
  if (!isRunning(pid)) {
    throw new PortaError('PORTA_USAGE', `the pid file ${path} names ${pid}, which is not running`);
  }
  return pid;
}

export function addControlCommands(program: Command): void {
  program
    .command('reload')
    .description('reload the config of a running `porta run` (same as sending it SIGHUP)')
    .option('-c, --config <file>', 'the config file the server was started with', 'porta.yaml')
    .option('--pid-file <path>', 'pid file of the server (default: derived from the config path)')
    .action((flags: ControlFlags) => {
      const pid = findServer(flags);
      process.kill(pid, 'SIGHUP');
      process.stdout.write(`asked porta (pid ${pid}) to reload ${flags.config}; see its log\n`);
    });
  program
    .command('stop')
    .description('stop a running `porta run` gracefully (same as sending it SIGTERM)')
    .option('-c, --config <file>', 'the config file the server was started with', 'porta.yaml')
    .option('--pid-file <path>', 'pid file of the server (default: derived from the config path)')
    .action(async (flags: ControlFlags) => {
      const pid = findServer(flags);
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 60_000;
      while (isRunning(pid) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (isRunning(pid))
        throw new PortaError('PORTA_INTERNAL', `porta (pid ${pid}) is still running after 60s`);
      process.stdout.write(`porta (pid ${pid}) stopped\n`);
    });
}
