// Runs `porta run` from a generated config file (as a user would, pid file and all), keeps every
// log line it prints with the time it arrived, and sends `porta reload` after editing the file.
import { existsSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { PORTA_MAIN } from './porta-main.mjs';
import { isRunning, launch, runToEnd, sleep, stop, waitForPort } from './processes.mjs';

export const portaMain = PORTA_MAIN;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * @typedef {object} LogLine
 * @property {number} at performance.now() when the line arrived
 * @property {string} text
 */

/**
 * @typedef {object} PortaRun
 * @property {number} pid the primary's (or the single process's) PID
 * @property {number} port
 * @property {string} configPath
 * @property {string} pidPath
 * @property {LogLine[]} lines everything it printed so far, stdout and stderr
 * @property {(text: string) => number} count log lines containing text
 * @property {(config: object) => void} writeConfig replaces the config file
 * @property {() => Promise<void>} reload runs `porta reload` (which sends SIGHUP) to the end
 * @property {() => boolean} alive
 * @property {() => Promise<void>} stop SIGTERM, SIGKILL to its group after 3 s
 */

/**
 * The command line of a run, for the report.
 * @param {string} configPath
 * @param {string} pidPath
 * @param {string} [main] another build's porta command (a "before" figure from the same run)
 * @returns {string[]}
 */
export function portaRunArgs(configPath, pidPath, main = portaMain) {
  return [main, 'run', '-c', configPath, '--pid-file', pidPath];
}

/**
 * Writes dir/porta.yaml, starts `node dist/bundle/main.js run` on it and waits until it accepts on port
 * and has written its pid file (after every worker is serving).
 * @param {object} options
 * @param {string} options.label
 * @param {string} options.dir a temp folder of ours
 * @param {number} options.port the port the config listens on
 * @param {object} options.config
 * @param {number | null} [options.cpu] pin porta (and its workers) to this CPU, null to let it float
 * @param {string} [options.main] another build's porta command instead of this one's
 * @returns {Promise<PortaRun>}
 */
export async function startPortaRun({ label, dir, port, config, cpu = null, main = portaMain }) {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\``);
  const configPath = join(dir, 'porta.yaml');
  const pidPath = join(dir, 'porta.pid');
  const writeConfig = (/** @type {object} */ next) =>
    writeFileSync(configPath, `# ${label}, written by bench/macro\n${stringify(next)}`);
  writeConfig(config);
  const launched = launch({
    label,
    command: process.execPath,
    args: portaRunArgs(configPath, pidPath, main),
    cpu,
    cwd: repoRoot,
  });
  /** @type {LogLine[]} */
  const lines = [];
  let partial = '';
  /** @param {Buffer} chunk */
  const collect = (chunk) => {
    const at = performance.now();
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ at, text });
  };
  launched.child.stdout?.on('data', collect);
  launched.child.stderr?.on('data', collect);
  const stopIt = () => stop(launched);
  try {
    await waitForPort(launched, port, 20_000);
    const deadline = Date.now() + 20_000;
    while (!existsSync(pidPath)) {
      if (Date.now() > deadline) throw new Error(`${label}: no pid file after 20 s`);
      await sleep(50);
    }
  } catch (error) {
    await stopIt();
    throw error;
  }
  return {
    pid: launched.pid,
    port,
    configPath,
    pidPath,
    lines,
    count: (text) => lines.filter((line) => line.text.includes(text)).length,
    writeConfig,
    reload: async () => {
      const result = await runToEnd({
        label: 'porta reload',
        command: process.execPath,
        args: [portaMain, 'reload', '-c', configPath, '--pid-file', pidPath],
        cpu: null,
        timeoutMs: 10_000,
      });
      if (result.code !== 0) {
        throw new Error(`porta reload exited ${result.code}: ${result.stderr}${result.stdout}`);
      }
    },
    alive: () => isRunning(launched),
    stop: stopIt,
  };
}

/**
 * GET path over a fresh connection; resolves with the status and body.
 * @param {number} port
 * @param {string} path
 * @returns {Promise<{ status: number, body: Buffer }>}
 */
export function fetchOnce(port, path) {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path}: no reply within 5 s`)));
    request.on('error', reject);
  });
}
