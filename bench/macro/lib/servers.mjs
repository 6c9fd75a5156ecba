// The servers a run compares: how to start each on a given port, or why it cannot run here.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeNginxConfig } from './nginx.mjs';

const serversDir = fileURLToPath(new URL('../servers/', import.meta.url));
const portaDist = fileURLToPath(new URL('../../../dist/index.js', import.meta.url));

/**
 * @typedef {object} ServerCommand
 * @property {string} command
 * @property {string[]} args
 * @property {() => void} cleanup removes whatever the command needed on disk
 * @property {NodeJS.ProcessEnv} [env] its environment, when not the runner's own
 */

/**
 * @typedef {object} ServerSpec
 * @property {string} name short key (BENCH_SERVERS, JSON results, ratio bases)
 * @property {string} title for tables
 * @property {string | null} missing why it cannot run here, null when it can
 * @property {(port: number) => ServerCommand} prepare
 * @property {(port: number) => Promise<void>} [check] what to verify before measuring; default:
 *   `GET /` answers 200 "Hello, World!"
 */

/** Temp prefixes still on disk, so an interrupted run can remove them too. */
const tempDirs = new Set();

/** Removes the temp prefixes of servers whose own cleanup did not run (SIGINT, time limit). */
export function removeTempDirs() {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * A Node script from bench/macro/servers/ taking its port as the only argument.
 * @param {string} script
 * @returns {(port: number) => ServerCommand}
 */
function nodeScript(script) {
  return (port) => ({
    command: process.execPath,
    args: [join(serversDir, script), String(port)],
    cleanup: () => {},
  });
}

/**
 * @param {import('./tools.mjs').Tools} tools
 * @param {import('./machine.mjs').Machine} machine
 * @returns {ServerSpec[]}
 */
export function createServers(tools, machine) {
  const nginx = tools.nginx;
  return [
    {
      name: 'nginx',
      title: `${machine.nginx} (1 worker)`,
      missing: nginx === null ? 'nginx is not installed (scripts/install-bench-deps.sh)' : null,
      prepare: (port) => {
        const dir = mkdtempSync(join(tmpdir(), 'porta-bench-nginx-'));
        tempDirs.add(dir);
        const { command, args } = writeNginxConfig({ nginx: nginx ?? 'nginx', dir, port });
        const cleanup = () => {
          rmSync(dir, { recursive: true, force: true });
          tempDirs.delete(dir);
        };
        return { command, args, cleanup };
      },
    },
    {
      name: 'node-http',
      title: 'node:http hello',
      missing: null,
      prepare: nodeScript('node-http.mjs'),
    },
    {
      name: 'node-net',
      title: 'node:net fixed reply',
      missing: null,
      prepare: nodeScript('node-net.mjs'),
    },
    {
      name: 'porta',
      title: 'porta respond',
      missing: existsSync(portaDist)
        ? null
        : 'dist/index.js is missing (porta not built yet, or start() not written): skipping porta',
      prepare: nodeScript('porta-respond.mjs'),
    },
    ...portaBefore('porta respond', nodeScript('porta-respond.mjs')),
  ];
}

/**
 * `porta-before`, when BENCH_PORTA_BEFORE names another build's dist/index.js (a checkout of the
 * commit to compare against, built): the same server script on that build, so a change is
 * measured before and after in one run. Empty when the variable is unset.
 * @param {string} title
 * @param {(port: number) => ServerCommand} prepare
 * @param {ServerSpec['check']} [check]
 * @returns {ServerSpec[]}
 */
export function portaBefore(title, prepare, check) {
  const dist = process.env.BENCH_PORTA_BEFORE;
  if (dist === undefined || dist === '') return [];
  return [
    {
      name: 'porta-before',
      title: `${title} (before)`,
      missing: existsSync(dist) ? null : `BENCH_PORTA_BEFORE=${dist} does not exist`,
      prepare: (port) => ({
        ...prepare(port),
        env: { ...process.env, BENCH_PORTA_DIST: pathToFileURL(dist).href },
      }),
      ...(check === undefined ? {} : { check }),
    },
  ];
}
