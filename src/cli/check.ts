// `porta check [-c porta.yaml]`: validates a config file and builds its plan without binding anything, like `nginx -t`.
import type { Command } from 'commander';
import { buildPlan } from '../config/build-plan.js';
import { isConfigError } from '../config/config-error.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import { PortaError, isPortaError } from '../errors.js';

interface CheckFlags {
  readonly config?: string;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "porta.yaml: OK (2 sites, 3 listeners)", or throws with every problem. */
export async function checkConfigFile(file: string | undefined): Promise<string> {
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
    .action(async (flags: CheckFlags) => {
      process.stdout.write(`${await checkConfigFile(flags.config)}\n`);
    });
}
