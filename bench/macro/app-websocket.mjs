// `npm run bench:app-ws`: WebSocket echo on the same Hono app (examples/websocket-app/server.ts, Hono's
// upgradeWebSocket from @hono/node-ws) on porta (`porta app`, one worker) and on @hono/node-server,
// side by side: N clients (the `ws` package) each sending a 64-byte text and waiting for its echo,
// round trips per second and p99, medians over interleaved passes, and the serving process's RSS.
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { portaArgs } from './lib/app-subjects.mjs';
import { describeMachine } from './lib/machine.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { PORTA_MAIN_RELATIVE } from './lib/porta-main.mjs';
import { launch, stop, waitForPort } from './lib/processes.mjs';
import { processTree, readRss } from './lib/rss.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median, ratio } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const APP = 'examples/websocket-app/server.ts';
const PAYLOAD = 'x'.repeat(64);

const subjects = [
  {
    name: 'porta',
    args: portaArgs(PORTA_MAIN_RELATIVE, APP),
  },
  {
    name: '@hono/node-server',
    args: (port) => ['--import', 'tsx', 'bench/macro/servers/hono-node-ws.mjs', String(port)],
  },
];

/** Opens one client and waits for the app's greeting. */
function connectClient(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** `clients` ping-pong loops for `seconds`: round trips per second and their p99 in ms. */
async function echoLoad(url, clients, seconds) {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connectClient(url)));
  const latencies = [];
  let trips = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((resolve) => {
          let sent = 0;
          const next = () => {
            if (Date.now() >= deadline) {
              resolve();
              return;
            }
            sent = performance.now();
            ws.send(PAYLOAD);
          };
          ws.on('message', () => {
            latencies.push(performance.now() - sent);
            trips++;
            next();
          });
          next();
        }),
    ),
  );
  for (const ws of sockets) ws.terminate();
  latencies.sort((a, b) => a - b);
  return {
    perSecond: trips / seconds,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN,
  };
}

/** @param {number} bytes */
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(0);

async function main() {
  const duration = readNumber('BENCH_DURATION', 5, 1);
  const passes = Math.round(readNumber('BENCH_PASSES', 3, 1));
  const clients = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const machine = describeMachine(ensureTools());
  console.log(`machine: ${machine.nproc} CPUs (${machine.cpu}), node ${machine.node}`);
  console.log(
    `method: ${APP}, ${clients} ws clients echoing a 64-byte text for ${duration}s after a ` +
      `1 s warm-up; ${passes} interleaved passes; medians; load average at start ` +
      `${loadavg()[0]?.toFixed(2)}`,
  );
  /** @type {Map<string, {rate: number[], p99: number[], rss: number[]}>} */
  const results = new Map();
  for (let pass = 1; pass <= passes; pass++) {
    for (const subject of subjects) {
      const port = await pickFreePort();
      const server = launch({
        label: subject.name,
        command: process.execPath,
        args: subject.args(port),
        cpu: null,
        cwd: root,
      });
      try {
        await waitForPort(server, port, 30_000);
        const url = `ws://127.0.0.1:${port}/ws`;
        await echoLoad(url, clients, 1);
        const run = await echoLoad(url, clients, duration);
        const tree = processTree(server.pid);
        const serving = readRss(tree[tree.length - 1] ?? server.pid);
        const entry = results.get(subject.name) ?? { rate: [], p99: [], rss: [] };
        entry.rate.push(run.perSecond);
        entry.p99.push(run.p99);
        entry.rss.push(serving);
        results.set(subject.name, entry);
        console.log(
          `pass ${pass} ${subject.name}: ${run.perSecond.toFixed(0)} round trips/s, ` +
            `p99 ${run.p99.toFixed(2)} ms`,
        );
      } finally {
        await stop(server);
      }
    }
  }
  console.log('\n| server | round trips/s (median) | vs @hono/node-server | p99 ms | RSS MiB |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const base = median(results.get('@hono/node-server')?.rate ?? []);
  for (const subject of subjects) {
    const entry = results.get(subject.name);
    if (entry === undefined) continue;
    const rate = median(entry.rate);
    const r = ratio(rate, base);
    console.log(
      `| ${subject.name} | ${rate?.toFixed(0)} | ${r === null ? '-' : `${r.toFixed(2)}x`} | ` +
        `${median(entry.p99)?.toFixed(2)} | ${mib(median(entry.rss) ?? 0)} |`,
    );
  }
  return 0;
}

await runBench(
  'bench:app-ws',
  () => readNumber('BENCH_TIMEOUT', 600, 10),
  main,
  () => {},
);
