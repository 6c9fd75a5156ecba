// What only the disk can tell about a valid config: log files that cannot be opened, static roots
// and app modules that do not exist, as problems with key paths (for `porta check`; binds nothing).
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigProblem } from './config-error.js';
import type { Config } from './schema.js';
import type { PositionIndex } from './source-positions.js';

/** "stdout"/"stderr" are streams, not files. */
const STREAMS = new Set(['stdout', 'stderr']);

/** Why a log file could not be opened for appending, or null when it could; creates nothing. */
function logFileProblem(path: string): string | null {
  const file = resolve(path);
  try {
    if (statSync(file).isDirectory()) return `${JSON.stringify(file)} is a folder, not a file`;
    accessSync(file, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      return `no permission to write ${JSON.stringify(file)}`;
    if (code !== 'ENOENT') return `cannot open ${JSON.stringify(file)}: ${String(error)}`;
  }
  // Missing: porta creates it, if its folder exists and is writable.
  const folder = dirname(file);
  try {
    if (!statSync(folder).isDirectory()) return `${JSON.stringify(folder)} is not a folder`;
    accessSync(folder, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `the folder ${JSON.stringify(folder)} does not exist`;
    return `cannot create a file in ${JSON.stringify(folder)} (${code ?? String(error)})`;
  }
}

/** Why a static root cannot be served, or null. */
function rootProblem(root: string): string | null {
  try {
    return statSync(root).isDirectory() ? null : `${JSON.stringify(root)} is not a folder`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `the folder ${JSON.stringify(root)} does not exist`;
    return `cannot read ${JSON.stringify(root)} (${code ?? String(error)})`;
  }
}

/**
 * Why an app module cannot be loaded, or null. Only the file: importing it would run the app's
 * code (connections, timers) inside `check`; run checks the export when it loads the module.
 */
function moduleProblem(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return `${JSON.stringify(file)} is not a file`;
    accessSync(file, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `the module ${JSON.stringify(file)} does not exist`;
    if (code === 'EACCES' || code === 'EPERM')
      return `no permission to read ${JSON.stringify(file)}`;
    return `cannot read ${JSON.stringify(file)} (${code ?? String(error)})`;
  }
}

/** Problems `porta run` would fail on (log files, app modules) or half-run with (every request a 404). */
export function findPathProblems(
  config: Config,
  context: { readonly source: string; readonly baseDir: string; readonly positions: PositionIndex },
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: readonly PropertyKey[], message: string): void => {
    const position = context.positions.locate(path);
    problems.push({ source: context.source, path, message, ...(position && { position }) });
  };
  const logs = [
    ['access_path', config.log.access === 'off' ? null : config.log.access_path],
    ['error_path', config.log.error_path],
  ] as const;
  for (const [key, path] of logs) {
    if (path === null || STREAMS.has(path)) continue;
    const problem = logFileProblem(path);
    if (problem !== null) add(['log', key], `cannot open the log file: ${problem}`);
  }
  config.sites.forEach((site, siteIndex) => {
    site.routes.forEach((route, routeIndex) => {
      const at = ['sites', siteIndex, 'routes', routeIndex] as const;
      if (route.app !== undefined) {
        const problem = moduleProblem(resolve(context.baseDir, route.app.module));
        if (problem !== null) {
          add([...at, 'app', 'module'], `${problem}; expected a module exporting { fetch }`);
        }
      }
      if (route.static === undefined) return;
      const problem = rootProblem(resolve(context.baseDir, route.static.root));
      if (problem !== null) add([...at, 'static', 'root'], problem);
    });
  });
  return problems;
}
