// The servers the static benchmark compares, all serving the same folder: how to start each on a
// given port, how to check it, or why it cannot run here.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkStaticFiles } from './static-check.mjs';
import { portaBefore } from './servers.mjs';
import { writeStaticNginxConfig } from './static-nginx.mjs';

const serversDir = fileURLToPath(new URL('../servers/', import.meta.url));
const portaDist = fileURLToPath(new URL('../../../dist/index.js', import.meta.url));
const require = createRequire(import.meta.url);

/** nginx prefixes still on disk, so an interrupted run can remove them too. */
const tempDirs = new Set();

/** Removes the nginx prefixes whose own cleanup did not run (SIGINT, time limit). */
export function removeStaticTempDirs() {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * The file a package's bin entry points at, run with this Node (so the PID we hold is the
 * server's own), or null when the devDependency is not installed.
 * @param {string} pkg
 * @param {string} bin
 * @returns {{ path: string | null, version: string }}
 */
function packageBin(pkg, bin) {
  try {
    const manifestPath = require.resolve(`${pkg}/package.json`);
    const manifest = require(manifestPath);
    const entry = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
    if (typeof entry !== 'string') return { path: null, version: 'unknown' };
    return { path: join(dirname(manifestPath), entry), version: String(manifest.version) };
  } catch {
    return { path: null, version: 'not installed' };
  }
}

/**
 * @param {object} options
 * @param {import('./tools.mjs').Tools} options.tools
 * @param {import('./machine.mjs').Machine} options.machine
 * @param {import('./static-files.mjs').StaticFiles} options.files
 * @returns {import('./servers.mjs').ServerSpec[]}
 */
export function createStaticServers({ tools, machine, files }) {
  const nginx = tools.nginx;
  const root = files.dir;
  /** @param {number} port */
  const check = (port) => checkStaticFiles(port, files.small);
  const noCleanup = () => {};
  const httpServer = packageBin('http-server', 'http-server');
  const serve = packageBin('serve', 'serve');
  /** @param {string} name */
  const notInstalled = (name) => `the ${name} devDependency is not installed`;
  /**
   * nginx serving the folder; without sendfile it reads and writes each file as Node must.
   * @param {boolean} sendfile
   * @returns {(port: number) => import('./servers.mjs').ServerCommand}
   */
  const nginxServer = (sendfile) => (port) => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-bench-nginx-'));
    tempDirs.add(dir);
    const { command, args } = writeStaticNginxConfig({
      nginx: nginx ?? 'nginx',
      dir,
      port,
      root,
      sendfile,
    });
    const cleanup = () => {
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    };
    return { command, args, cleanup };
  };
  const nginxMissing =
    nginx === null ? 'nginx is not installed (scripts/install-bench-deps.sh)' : null;
  return [
    {
      name: 'nginx',
      title: `${machine.nginx} (1 worker, sendfile)`,
      missing: nginxMissing,
      check,
      prepare: nginxServer(true),
    },
    {
      name: 'nginx-copy',
      title: `${machine.nginx} (1 worker, sendfile off)`,
      missing: nginxMissing,
      check,
      prepare: nginxServer(false),
    },
    {
      name: 'porta',
      title: 'porta static',
      missing: existsSync(portaDist) ? null : 'dist/index.js is missing: run npm run build',
      check,
      prepare: (port) => ({
        command: process.execPath,
        args: [join(serversDir, 'static-porta.mjs'), String(port), root],
        cleanup: noCleanup,
      }),
    },
    ...portaBefore(
      'porta static',
      (port) => ({
        command: process.execPath,
        args: [join(serversDir, 'static-porta.mjs'), String(port), root],
        cleanup: noCleanup,
      }),
      check,
    ),
    {
      name: 'node-http',
      title: 'node:http static (in memory)',
      missing: null,
      check,
      prepare: (port) => ({
        command: process.execPath,
        args: [join(serversDir, 'static-node-http.mjs'), String(port), root],
        cleanup: noCleanup,
      }),
    },
    {
      name: 'node-net',
      title: 'node:net raw (in memory)',
      missing: null,
      check,
      prepare: (port) => ({
        command: process.execPath,
        args: [join(serversDir, 'static-node-net.mjs'), String(port), root],
        cleanup: noCleanup,
      }),
    },
    {
      name: 'http-server',
      title: `http-server ${httpServer.version}`,
      missing: httpServer.path === null ? notInstalled('http-server') : null,
      check,
      // -c-1: no max-age; -s: no request log; no -g/-b, so files go out as they are.
      prepare: (port) => ({
        command: process.execPath,
        args: [httpServer.path ?? '', root, '-a', '127.0.0.1', '-p', String(port), '-c-1', '-s'],
        cleanup: noCleanup,
      }),
    },
    {
      name: 'serve',
      title: `serve ${serve.version}`,
      missing: serve.path === null ? notInstalled('serve') : null,
      check,
      // -n no clipboard, -L no request log, -u no compression; NO_UPDATE_CHECK keeps it off the
      // network (it asks the npm registry for a newer version at start otherwise).
      prepare: (port) => ({
        command: process.execPath,
        args: [
          serve.path ?? '',
          '-n',
          '-L',
          '-u',
          '--no-port-switching',
          '-l',
          `tcp://127.0.0.1:${port}`,
          root,
        ],
        env: { ...process.env, NO_UPDATE_CHECK: '1' },
        cleanup: noCleanup,
      }),
    },
  ];
}
