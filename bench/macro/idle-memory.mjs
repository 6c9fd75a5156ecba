// `npm run bench:idle-memory`: what one idle keep-alive connection costs porta, node:http, raw
// node:net (and nginx, RSS only), in one run: RSS and live-heap growth of a fresh server while
// idle-conns.mjs holds N connections after one request each. Medians over passes. See bench/README.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextEvent } from './lib/idle.mjs';
import { writeNginxConfig } from './lib/nginx.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { launch, sleep, stop, waitForPort } from './lib/processes.mjs';
import { treeRss } from './lib/rss.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readList, readNumber } from './lib/settings.mjs';
import { median } from './lib/stats.mjs';
import { markdownTable } from './lib/table.mjs';
import { findExecutable } from './lib/tools.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const probe = here('./lib/memory-probe.mjs');
const clientScript = here('./idle-conns.mjs');
const tempDirs = new Set();

/**
 * @typedef {object} Subject
 * @property {string} name
 * @property {string} title
 * @property {(port: number) => { command: string, args: string[] }} prepare
 * @property {boolean} probed whether it prints its heap on SIGUSR2 (Node servers)
 */

/** @returns {Subject[]} */
function subjects() {
  /** @param {string} script @returns {Subject['prepare']} */
  const node = (script) => (port) => ({
    command: process.execPath,
    args: ['--expose-gc', '--import', probe, here(`./servers/${script}`), String(port)],
  });
  const nginx = findExecutable('nginx');
  /** @type {Subject[]} */
  const list = [
    { name: 'porta', title: 'porta respond', prepare: node('porta-respond.mjs'), probed: true },
    { name: 'node-http', title: 'node:http hello', prepare: node('node-http.mjs'), probed: true },
    {
      name: 'node-net',
      title: 'node:net fixed reply',
      prepare: node('node-net.mjs'),
      probed: true,
    },
  ];
  if (nginx !== null) {
    list.push({
      name: 'nginx',
      title: 'nginx (1 worker)',
      probed: false,
      prepare: (port) => {
        const dir = mkdtempSync(join(tmpdir(), 'porta-bench-nginx-'));
        tempDirs.add(dir);
        return writeNginxConfig({ nginx, dir, port });
      },
    });
  }
  return list;
}

/**
 * RSS (after a full GC for Node servers) and live heap, in bytes.
 * @param {import('./lib/processes.mjs').Launched} server
 * @param {boolean} probed
 * @returns {Promise<{ rss: number, heap: number | null }>}
 */
async function readMemory(server, probed) {
  if (!probed) return { rss: treeRss(server.pid), heap: null };
  const reply = nextEvent(server, 'memory', 10_000);
  process.kill(server.pid, 'SIGUSR2');
  const memory = await reply;
  return { rss: treeRss(server.pid), heap: (memory.heapUsed ?? 0) + (memory.external ?? 0) };
}

/**
 * One fresh server, N idle connections, memory before and while they are held.
 * @param {Subject} subject
 * @param {number} connections
 */
async function measureOne(subject, connections) {
  const port = await pickFreePort();
  const { command, args } = subject.prepare(port);
  const server = launch({ label: subject.name, command, args, cpu: null });
  try {
    await waitForPort(server, port, 10_000);
    await sleep(500);
    const before = await readMemory(server, subject.probed);
    const client = launch({
      label: 'idle-conns client',
      command: process.execPath,
      args: [clientScript, String(port), String(connections), '200', '90'],
      cpu: null,
    });
    try {
      const ready = await nextEvent(client, 'ready', 100_000);
      await sleep(1000);
      const held = await readMemory(server, subject.probed);
      return {
        held: ready.held ?? 0,
        rss: (held.rss - before.rss) / connections,
        heap:
          held.heap === null || before.heap === null
            ? null
            : (held.heap - before.heap) / connections,
      };
    } finally {
      client.child.stdin?.end();
      await stop(client, 3000);
    }
  } finally {
    await stop(server, 3000);
  }
}

/** @param {number | null} bytes */
const kib = (bytes) => (bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(2)} KiB`);

async function main() {
  const connections = readNumber('BENCH_IDLE_CONNS', 10_000, 1);
  const passes = readNumber('BENCH_PASSES', 3, 1);
  const only = readList('BENCH_SERVERS');
  const chosen = subjects().filter((s) => only === null || only.includes(s.name));
  console.log(`idle keep-alive memory: ${connections} connections, ${passes} pass(es), medians`);
  /** @type {Map<string, Array<{ held: number, rss: number, heap: number | null }>>} */
  const results = new Map(chosen.map((s) => [s.name, []]));
  for (let pass = 1; pass <= passes; pass++) {
    for (const subject of chosen) {
      const result = await measureOne(subject, connections);
      results.get(subject.name)?.push(result);
      console.log(
        `pass ${pass} ${subject.name}: held ${result.held}, RSS ${kib(result.rss)}/conn, ` +
          `heap ${kib(result.heap)}/conn`,
      );
    }
  }
  const rows = chosen.map((subject) => {
    const runs = results.get(subject.name) ?? [];
    return [
      subject.title,
      `${Math.min(...runs.map((r) => r.held))} / ${connections}`,
      kib(median(runs.map((r) => r.rss))),
      kib(median(runs.map((r) => r.heap))),
    ];
  });
  console.log(
    '\n' +
      markdownTable(
        ['server', 'conns held', 'RSS per idle conn', 'live JS heap per idle conn'],
        rows,
        [false, true, true, true],
      ),
  );
  return rows.every((row) => row[1]?.startsWith(String(connections))) ? 0 : 1;
}

await runBench(
  'bench:idle-memory',
  () => readNumber('BENCH_TIMEOUT', 600, 10),
  main,
  () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  },
);
