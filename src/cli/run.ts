// `porta run [-c porta.yaml]`: serves what a config file describes; SIGHUP or `porta reload` reads the file again.
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { defaultPidFile } from '../process/pid-file.js';
import { runWorker } from '../process/worker.js';
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
    if (cluster.isWorker) {
      // A worker serves the config its primary sends, never the file: a file edited since
      // the last reload must not reach (or crash) a respawned worker.
      runWorker();
      return;
    }
    const load = async (): Promise<ConfigInput> =>
      withOverrides((await loadConfigFile(flags.config, { command: 'run' })).config, flags);
    const loaded = await loadConfigFile(flags.config, { command: 'run' });
    const config = withOverrides(loaded.config, flags);
    if (flags.printConfig === true) {
      printConfig(config);
      return;
    }
    await runServer(config, {
      reloadSource: load,
      // The file `porta reload -c` and `porta stop -c` look for (relative to the config's folder).
      pidFile:
        flags.pidFile ??
        (loaded.config.pid_file === undefined
          ? defaultPidFile(loaded.path)
          : resolve(loaded.baseDir, loaded.config.pid_file)),
    });
  });
}
