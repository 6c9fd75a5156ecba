// `porta run [-c porta.yaml]`: serves what a config file describes; SIGHUP or `porta reload` reads the file again.
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import { defaultPidFile } from '../process/pid-file.js';
import { runWorker } from '../process/worker.js';
import { runServer } from './run-server.js';

interface RunFlags {
  readonly config?: string;
  readonly pidFile?: string;
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      `serve what a config file describes (./${DEFAULT_CONFIG_FILE} unless -c names another)`,
    )
    .option('-c, --config <file>', `config file, YAML or .json (default: ./${DEFAULT_CONFIG_FILE})`)
    .option(
      '--pid-file <path>',
      'write the process id here (default: pid_file, or one per config path)',
    )
    .action(async (flags: RunFlags) => {
      if (cluster.isWorker) {
        // A worker serves the config its primary sends, never the file: a file edited since
        // the last reload must not reach (or crash) a respawned worker.
        runWorker();
        return;
      }
      const loaded = await loadConfigFile(flags.config, { command: 'run' });
      await runServer(loaded.config, {
        reloadSource: async () => (await loadConfigFile(flags.config, { command: 'run' })).config,
        // The file `porta reload -c` and `porta stop -c` look for (relative to the config's folder).
        pidFile:
          flags.pidFile ??
          (loaded.config.pid_file === undefined
            ? defaultPidFile(loaded.path)
            : resolve(loaded.baseDir, loaded.config.pid_file)),
      });
    });
}
