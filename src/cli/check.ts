// `porta check [-c porta.yaml]`: validates a config file and builds its plan without binding anything, like `nginx -t`.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/config-file-name.js';

interface CheckFlags {
  readonly config?: string;
  /** False with --no-paths: the file alone, not the disk it names. */
  readonly paths: boolean;
}

export function addCheckCommand(program: Command): void {
  program
    .command('check')
    .description(
      'check a config file and build everything it describes, binding nothing (like nginx -t)',
    )
    .option('-c, --config <file>', `config file, YAML or .json (default: ./${DEFAULT_CONFIG_FILE})`)
    .option(
      '--no-paths',
      'skip the log files and static roots it names (a config checked away from the machine that runs it)',
    )
    .action(async (flags: CheckFlags) => {
      // The config stack is loaded for checking only: the rest of the command line stays light.
      const { checkConfigFile } = await import('./check-file.js');
      process.stdout.write(`${await checkConfigFile(flags.config, { paths: flags.paths })}\n`);
    });
}
