// What `porta check` does: validates a config file and builds its plan without binding anything (loaded only when checking).
import { buildPlan } from '../config/build-plan.js';
import { ConfigError, isConfigError } from '../config/config-error.js';
import { loadConfigFile } from '../config/load.js';
import { findPathProblems } from '../config/path-checks.js';
import { PortaError, isPortaError } from '../errors.js';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "porta.yaml: OK (2 sites, 3 listeners)", or throws with every problem. */
export async function checkConfigFile(
  file: string | undefined,
  options: { readonly paths?: boolean } = {},
): Promise<string> {
  const loaded = await loadConfigFile(file, { command: 'check' });
  let plan: Awaited<ReturnType<typeof buildPlan>>;
  try {
    plan = await buildPlan(loaded.config);
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
