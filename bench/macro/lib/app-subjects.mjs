// The servers bench:app compares, each running examples/hono-app/server.ts: porta (`porta app`,
// one worker), @hono/node-server and srvx, and porta-before when BENCH_PORTA_BEFORE names a build.
import { existsSync } from 'node:fs';
import { PORTA_MAIN_RELATIVE, portaMainBeside } from './porta-main.mjs';

export const APP = 'examples/hono-app/server.ts';

/**
 * @typedef {object} AppSubject
 * @property {string} name
 * @property {(port: number) => string[]} args node's arguments
 * @property {string | null} missing why it cannot run, or null
 */

/**
 * `porta app` on one worker (the cluster primary plus the worker that serves), access log off.
 * @param {string} main path of the porta command (dist/bundle/main.js)
 * @param {string} [app] the app module (the Hono example unless given)
 * @returns {(port: number) => string[]}
 */
export function portaArgs(main, app = APP) {
  return (port) => [
    main,
    'app',
    app,
    '-H',
    '127.0.0.1',
    '-p',
    String(port),
    '--workers',
    '1',
    '--access-log',
    'off',
  ];
}

/**
 * Every subject, in the order of the table; the first two with TypeScript through tsx as porta
 * loads it, so all of them run the same module.
 * @returns {AppSubject[]}
 */
export function createAppSubjects() {
  /** @type {AppSubject[]} */
  const subjects = [
    { name: 'porta', args: portaArgs(PORTA_MAIN_RELATIVE), missing: null },
    {
      name: '@hono/node-server',
      args: (port) => ['--import', 'tsx', 'bench/macro/servers/hono-node-server.mjs', String(port)],
      missing: null,
    },
    {
      name: 'srvx',
      args: (port) => ['--import', 'tsx', 'bench/macro/servers/hono-srvx.mjs', String(port)],
      missing: null,
    },
  ];
  // Another build's dist/index.js, as the other suites take it; its porta command beside it.
  const before = process.env.BENCH_PORTA_BEFORE;
  if (before !== undefined && before !== '') {
    const main = portaMainBeside(before);
    subjects.splice(1, 0, {
      name: 'porta-before',
      args: portaArgs(main),
      missing: existsSync(main) ? null : `${main} does not exist (BENCH_PORTA_BEFORE)`,
    });
  }
  return subjects;
}
