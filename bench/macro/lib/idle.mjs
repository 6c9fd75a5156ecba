// Measures what idle keep-alive connections cost a server: its RSS before and while the
// idle-conns.mjs client holds N connections open after one request each.
import { fileURLToPath } from 'node:url';
import { launch, sleep, stop } from './processes.mjs';
import { treeRss } from './rss.mjs';

const clientScript = fileURLToPath(new URL('../idle-conns.mjs', import.meta.url));

/**
 * @typedef {object} IdleResult
 * @property {number} requested connections asked for
 * @property {number} held connections open when RSS was read
 * @property {number} failed connections that did not complete their request
 * @property {number} openMs time to open them all
 * @property {number} rssBefore bytes
 * @property {number} rssWith bytes while they are held
 * @property {number} extra rssWith - rssBefore, bytes
 */

/**
 * Reads JSON lines from the client until one with the given event arrives.
 * @param {import('./processes.mjs').Launched} client
 * @param {string} event
 * @param {number} timeoutMs
 * @returns {Promise<Record<string, number>>}
 */
export function nextEvent(client, event, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`idle client: no "${event}" within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const message = JSON.parse(line);
          if (message.event === event) {
            cleanup();
            resolve(message);
            return;
          }
        } catch {
          // a partial line; wait for the rest
        }
      }
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`idle client exited early:\n${client.output()}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.child.stdout?.off('data', onData);
      client.child.off('exit', onExit);
    };
    client.child.stdout?.on('data', onData);
    client.child.once('exit', onExit);
  });
}

/**
 * @param {object} options
 * @param {number} options.serverPid
 * @param {number} options.port
 * @param {number} options.connections
 * @param {number | null} options.cpu where the client runs
 * @returns {Promise<IdleResult>}
 */
export async function measureIdleConnections({ serverPid, port, connections, cpu }) {
  const rssBefore = treeRss(serverPid);
  const client = launch({
    label: 'idle-conns client',
    command: process.execPath,
    args: [clientScript, String(port), String(connections), '200', '60'],
    cpu,
  });
  try {
    const ready = await nextEvent(client, 'ready', 75_000);
    // Let the server finish the replies' bookkeeping before reading its memory.
    await sleep(1000);
    const rssWith = treeRss(serverPid);
    client.child.stdin?.write('report\n');
    const report = await nextEvent(client, 'report', 5000);
    return {
      requested: connections,
      held: report.held ?? 0,
      failed: ready.failed ?? 0,
      openMs: ready.ms ?? 0,
      rssBefore,
      rssWith,
      extra: rssWith - rssBefore,
    };
  } finally {
    client.child.stdin?.end();
    await stop(client, 3000);
  }
}
