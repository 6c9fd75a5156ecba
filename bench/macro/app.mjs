// `npm run bench:app`: the same Hono app (examples/hono-app) on porta (`porta app`, one worker), on
// @hono/node-server and on srvx, side by side in one run: wrk on a JSON route and a 1 KiB text
// route, keep-alive; medians of req/s and p99 over interleaved passes, and each server's RSS.
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { describeMachine } from './lib/machine.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { launch, stop, waitForPort } from './lib/processes.mjs';
import { runWrkDetailed } from './lib/reload-wrk.mjs';
import { processTree, readRss } from './lib/rss.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median, ratio } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const APP = 'examples/hono-app/server.ts';
const ROUTES = ['/json', '/text'];

/** Each server runs the same module; TypeScript goes through tsx in all three. */
const subjects = [
  {
    name: 'porta',
    args: (port) => [
      'dist/main.js',
      'app',
      APP,
      '-H',
      '127.0.0.1',
      '-p',
      String(port),
      '--workers',
      '1',
      '--access-log',
      'off',
    ],
  },
  {
    name: '@hono/node-server',
    args: (port) => ['--import', 'tsx', 'bench/macro/servers/hono-node-server.mjs', String(port)],
  },
  {
    name: 'srvx',
    args: (port) => ['--import', 'tsx', 'bench/macro/servers/hono-srvx.mjs', String(port)],
  },
];

/** @param {number} bytes */
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(0);

async function main() {
  const duration = readNumber('BENCH_DURATION', 5, 1);
  const passes = Math.round(readNumber('BENCH_PASSES', 3, 1));
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench:app: wrk is required; run scripts/install-bench-deps.sh');
    return 1;
  }
  const machine = describeMachine(tools);
  console.log(
    `machine: ${machine.nproc} CPUs (${machine.cpu}), node ${machine.node}, ${machine.wrk}`,
  );
  console.log(
    `method: ${APP}, GET ${ROUTES.join(' and ')}, wrk -t2 -c${connections} -d${duration}s ` +
      `--latency (keep-alive) after a 2 s warm-up; ${passes} interleaved passes; medians; ` +
      `load average at start ${loadavg()[0]?.toFixed(2)}`,
  );
  /** @type {Map<string, {rps: number[], p99: number[], rss: number[], servingRss: number[]}>} */
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
        for (const route of ROUTES) {
          const url = `http://127.0.0.1:${port}${route}`;
          const check = await fetch(url);
          if (check.status !== 200) throw new Error(`${subject.name} ${route}: ${check.status}`);
          await check.text();
          await runWrkDetailed({ wrk: tools.wrk, url, threads: 2, connections, seconds: 2 });
          const run = await runWrkDetailed({
            wrk: tools.wrk,
            url,
            threads: 2,
            connections,
            seconds: duration,
          });
          if (run.socketErrors > 0 || run.non2xx > 0) {
            console.log(
              `  (${subject.name} ${route}: ${run.socketErrors} socket errors, ${run.non2xx} non-2xx)`,
            );
          }
          const tree = processTree(server.pid);
          // porta: the primary and its one worker; the worker alone is what serves.
          const serving =
            tree.length > 1 ? readRss(tree[tree.length - 1] ?? server.pid) : readRss(server.pid);
          const key = `${subject.name} ${route}`;
          const entry = results.get(key) ?? { rps: [], p99: [], rss: [], servingRss: [] };
          entry.rps.push(run.requestsPerSecond);
          entry.p99.push(run.p99Ms ?? Number.NaN);
          entry.rss.push(tree.reduce((sum, pid) => sum + readRss(pid), 0));
          entry.servingRss.push(serving);
          results.set(key, entry);
          console.log(
            `pass ${pass} ${key}: ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.p99Ms} ms`,
          );
        }
      } finally {
        await stop(server);
      }
    }
  }
  console.log(
    '\n| server | route | req/s (median) | vs @hono/node-server | p99 ms | RSS MiB (serving process / all) |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const route of ROUTES) {
    const base = median(results.get(`@hono/node-server ${route}`)?.rps ?? []);
    for (const subject of subjects) {
      const entry = results.get(`${subject.name} ${route}`);
      if (entry === undefined) continue;
      const rps = median(entry.rps);
      const r = ratio(rps, base);
      console.log(
        `| ${subject.name} | ${route} | ${rps?.toFixed(0)} | ${r === null ? '-' : `${r.toFixed(2)}x`} | ` +
          `${median(entry.p99)?.toFixed(2)} | ${mib(median(entry.servingRss) ?? 0)} / ${mib(median(entry.rss) ?? 0)} |`,
      );
    }
  }
  return 0;
}

await runBench(
  'bench:app',
  () => readNumber('BENCH_TIMEOUT', 900, 10),
  main,
  () => {},
);
