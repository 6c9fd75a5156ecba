// `porta check [-c porta.yaml]`: validates a config file and builds its plan without binding anything, like `nginx -t`.
import type { Command } from 'commander';
import { buildPlan } from '../config/build-plan.js';
import { ConfigError, isConfigError } from '../config/config-error.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import { findPathProblems } from '../config/path-checks.js';
import { PortaError, isPortaError } from '../errors.js';

interface CheckFlags {
  readonly config?: string;
  /** False with --no-paths: the file alone, not the disk it names. */
  readonly paths: boolean;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "porta.yaml: OK (2 sites, 3 listeners)", or throws with every problem. */
export async function checkConfigFile(
  file: string | undefined,
  options: { readonly paths?: boolean } = {},
): Promise<string> {
  const loaded = await loadConfigFile(file, { command: 'check' });
  let plan: ReturnType<typeof buildPlan>;
  try {
    plan = buildPlan(loaded.config);
  } catch (error) {
    // Plan errors name a key path but not the file; give them the file like the others.
    if (isPortaError(error) && !isConfigError(error)) {
      throw new PortaError(error.code, `${loaded.source}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  // Handlers may hold resources (file watchers, pools) from the moment they are built.
  await Promise.all(plan.handlers.map((handler) => handler.close()));
  // What `run` would fail on (a log file) or half-run with (a missing root: every request a 404).
  const problems = options.paths === false ? [] : findPathProblems(loaded.config, loaded);
  if (problems.length > 0) throw new ConfigError(problems);
  const listeners = plan.http.length + plan.streams.length;
  return `${loaded.source}: OK (${plural(loaded.config.sites.length, 'site')}, ${plural(listeners, 'listener')})`;
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
      process.stdout.write(`${await checkConfigFile(flags.config, { paths: flags.paths })}\n`);
    });
}
