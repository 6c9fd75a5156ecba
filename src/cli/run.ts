// `porta run [-c porta.yaml]`: serves what a config file describes; SIGHUP or `porta reload` reads the file again.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/config-file-name.js';
import type { Config, ConfigInput } from '../config/schema.js';
import {
  type CommonFlags,
  addCommonFlags,
  adminSection,
  logSection,
  workersSection,
} from './common-options.js';
import { printConfig, runServer } from './run-server.js';

interface RunFlags extends CommonFlags {
  readonly config?: string;
  readonly pidFile?: string;
}

/** The file's config with the command line's --workers and logging flags laid over it. */
export function withOverrides(config: Config, flags: CommonFlags): ConfigInput {
  return {
    ...config,
    log: { ...config.log, ...logSection(flags) },
    ...workersSection(flags),
    ...adminSection(flags, config.admin),
  };
}

export function addRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description(
      `serve what a config file describes (./${DEFAULT_CONFIG_FILE} unless -c names another); flags override the file`,
    )
    .option('-c, --config <file>', `config file, YAML or .json (default: ./${DEFAULT_CONFIG_FILE})`)
    .option(
      '--pid-file <path>',
      'write the process id here (default: pid_file, or one per config path)',
    );
  addCommonFlags(command, 'the file\'s "workers", else auto').action(async (flags: RunFlags) => {
    if (flags.printConfig === true) {
      const { loadConfigFile } = await import('../config/load.js');
      await printConfig(withOverrides((await loadConfigFile(flags.config)).config, flags));
      return;
    }
    // The file is read where it is validated (here for one process, in a child for a cluster),
    // again on every reload; workers serve the config their primary sends, never the file.
    await runServer({
      kind: 'file',
      file: flags.config,
      overrides: {
        log: logSection(flags),
        ...workersSection(flags),
        admin: flags.admin,
        adminEnv: process.env.PORTA_ADMIN,
      },
      pidFile: flags.pidFile,
    });
  });
}
