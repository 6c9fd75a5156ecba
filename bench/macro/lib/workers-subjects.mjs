// The four servers of the workers benchmark (porta `run` and nginx, 1 and 2 workers each), all
// serving the same 1 KiB file; how to start one on a free port and check it before measuring.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORTA_MAIN_RELATIVE } from './porta-main.mjs';
import { pickFreePort } from './ports.mjs';
import { launch, stop, waitForPort } from './processes.mjs';
import { fetchOnce, startPortaRun } from './reload-porta.mjs';
import { processTree } from './rss.mjs';
import { writeStaticNginxConfig } from './static-nginx.mjs';

/**
 * @typedef {object} Subject
 * @property {string} name short key in results ("porta-2")
 * @property {'porta' | 'nginx'} server
 * @property {number} workers
 */

/**
 * @typedef {object} StartedSubject
 * @property {number} pid root of its process tree (porta's primary, nginx's master)
 * @property {number} port
 * @property {string} command how it was started, for the report
 * @property {() => number} processes processes in its tree right now
 * @property {() => Promise<void>} stop stops it by PID and removes its temp folder
 */

/** @type {Subject[]} */
export const subjects = [
  { name: 'porta-1', server: 'porta', workers: 1 },
  { name: 'porta-2', server: 'porta', workers: 2 },
  { name: 'nginx-1', server: 'nginx', workers: 1 },
  { name: 'nginx-2', server: 'nginx', workers: 2 },
];

/**
 * Starts the subject serving `root` and checks GET /<fileName> answers 200 with `content`.
 * @param {object} options
 * @param {Subject} options.subject
 * @param {string} options.root
 * @param {string} options.fileName
 * @param {Buffer} options.content
 * @param {string | null} options.nginx binary, null when not installed
 * @returns {Promise<StartedSubject>}
 */
export async function startSubject({ subject, root, fileName, content, nginx }) {
  const dir = mkdtempSync(join(tmpdir(), `porta-bench-workers-${subject.name}-`));
  const port = await pickFreePort();
  /** @type {StartedSubject} */
  let started;
  try {
    if (subject.server === 'porta') {
      const porta = await startPortaRun({
        label: `porta workers ${subject.workers}`,
        dir,
        port,
        config: {
          workers: subject.workers,
          log: { level: 'warning', access: 'off' },
          // The file goes as it is, like nginx sends it (wrk asks for no encoding anyway).
          sites: [
            {
              listen: [`127.0.0.1:${port}`],
              routes: [{ path: '/', static: { root, compress: false } }],
            },
          ],
        },
      });
      started = {
        pid: porta.pid,
        port,
        command: `node ${PORTA_MAIN_RELATIVE} run -c ${porta.configPath} --pid-file ${porta.pidPath}`,
        processes: () => processTree(porta.pid).length,
        stop: async () => {
          await porta.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } else {
      if (nginx === null) throw new Error('nginx is not installed (scripts/install-bench-deps.sh)');
      const { command, args } = writeStaticNginxConfig({
        nginx,
        dir,
        port,
        root,
        workers: subject.workers,
      });
      const launched = launch({ label: subject.name, command, args, cpu: null });
      started = {
        pid: launched.pid,
        port,
        command: `${command} ${args.join(' ')}`,
        processes: () => processTree(launched.pid).length,
        stop: async () => {
          await stop(launched);
          rmSync(dir, { recursive: true, force: true });
        },
      };
      try {
        await waitForPort(launched, port, 10_000);
      } catch (error) {
        await started.stop();
        throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  try {
    const reply = await fetchOnce(port, `/${fileName}`);
    if (reply.status !== 200 || !reply.body.equals(content)) {
      throw new Error(`${subject.name}: GET /${fileName} gave ${reply.status}, unexpected body`);
    }
  } catch (error) {
    await started.stop();
    throw error;
  }
  return started;
}
