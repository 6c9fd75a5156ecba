// Finds wrk, nginx (with its stream module), socat and taskset, installing them through scripts/install-bench-deps.sh when missing.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const installScript = fileURLToPath(
  new URL('../../../scripts/install-bench-deps.sh', import.meta.url),
);

/**
 * @typedef {object} Tools
 * @property {string | null} wrk
 * @property {string | null} nginx
 * @property {string | null} taskset
 */

/**
 * Absolute path of an executable on PATH, or in the sbin folders a non-root PATH often lacks.
 * @param {string} name
 * @returns {string | null}
 */
export function findExecutable(name) {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** @returns {Tools} */
function findTools() {
  return {
    wrk: findExecutable('wrk'),
    nginx: findExecutable('nginx'),
    taskset: findExecutable('taskset'),
  };
}

/**
 * The tools, after running the install script if any is missing (it installs as root, and
 * otherwise prints the apt-get line to run).
 * @returns {Tools}
 */
export function ensureTools() {
  const found = findTools();
  const streamModule = existsSync('/usr/lib/nginx/modules/ngx_stream_module.so');
  const complete =
    found.wrk !== null && found.nginx !== null && found.taskset !== null && streamModule;
  if (complete && findExecutable('socat') !== null) return found;
  console.log('bench: installing missing tools (scripts/install-bench-deps.sh)');
  spawnSync('bash', [installScript], { stdio: 'inherit' });
  return findTools();
}

/**
 * First line a tool prints about its version (on stdout or stderr), or "unknown".
 * @param {string | null} path
 * @param {string[]} args
 * @returns {string}
 */
export function toolVersion(path, args) {
  if (path === null) return 'not installed';
  const result = spawnSync(path, args, { encoding: 'utf8', timeout: 5000 });
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() || 'unknown';
}
