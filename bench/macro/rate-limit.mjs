// `npm run bench:rate-limit`: what a server-wide rate limit costs. A `respond` route plain, behind a
// rate limit every request passes (budget leased from the primary) and one every request fails
// (refusal remembered in the worker), each with 1 and 2 workers; wrk on loopback, medians.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine } from './lib/machine.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { startPortaRun } from './lib/reload-porta.mjs';
import { runWrkDetailed } from './lib/reload-wrk.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';

/** @param {string} line */
const log = (line) => console.log(line);

const ROUTES = [
  { name: 'plain', limit: undefined },
  // wrk's connections all come from 127.0.0.1: one client, whose budget never runs out.
  { name: 'limited, all pass', limit: { rate: '100000000r/s', burst: 100000000 } },
  // One request a minute: after the first, every request is refused with 429.
  { name: 'limited, all 429', limit: { rate: '1r/m', burst: 1 } },
];

const tempDirs = new Set();

function readSettings() {
  const duration = readNumber('BENCH_DURATION', 8, 1);
  const warmup = readNumber('BENCH_WARMUP', 2, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 2, 1));
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const timeout = readNumber('BENCH_TIMEOUT', passes * 6 * (duration + warmup + 15) + 60, 10);
  return { duration, warmup, passes, connections, timeout };
}

async function main() {
  const settings = readSettings();
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench:rate-limit: wrk is required; run scripts/install-bench-deps.sh');
    return 1;
  }
  const machine = describeMachine(tools);
  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, node ${machine.node}`);
  log(
    `method: GET /, wrk -t2 -c${settings.connections} -d${settings.duration}s after a ` +
      `${settings.warmup}s warm-up, ${settings.passes} pass(es), medians; load average at start ` +
      `${(loadavg()[0] ?? 0).toFixed(2)}`,
  );
  /** @type {Map<string, { rps: number[], p99: number[], non2xx: number[] }>} */
  const results = new Map();
  for (let pass = 1; pass <= settings.passes; pass++) {
    for (const workers of [1, 2]) {
      for (const route of ROUTES) {
        const dir = mkdtempSync(join(tmpdir(), 'porta-bench-rate-'));
        tempDirs.add(dir);
        const port = await pickFreePort();
        const config = {
          workers,
          log: { access: 'off' },
          sites: [
            {
              listen: [`127.0.0.1:${port}`],
              routes: [
                {
                  path: '/',
                  respond: { body: 'ok\n' },
                  ...(route.limit === undefined ? {} : { rate_limit: route.limit }),
                },
              ],
            },
          ],
        };
        const porta = await startPortaRun({ label: `porta ${workers}w`, dir, port, config });
        try {
          const load = {
            wrk: tools.wrk,
            url: `http://127.0.0.1:${port}/`,
            threads: 2,
            connections: settings.connections,
          };
          if (settings.warmup > 0) await runWrkDetailed({ ...load, seconds: settings.warmup });
          const result = await runWrkDetailed({ ...load, seconds: settings.duration });
          const key = `${workers}|${route.name}`;
          const entry = results.get(key) ?? { rps: [], p99: [], non2xx: [] };
          entry.rps.push(result.requestsPerSecond);
          entry.p99.push(result.p99Ms ?? Number.NaN);
          entry.non2xx.push(result.requests > 0 ? result.non2xx / result.requests : 0);
          results.set(key, entry);
          log(
            `  pass ${pass}: ${workers} worker(s), ${route.name}: ` +
              `${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms} ms, ` +
              `${result.non2xx} non-2xx of ${result.requests}`,
          );
        } finally {
          await porta.stop();
        }
      }
    }
  }
  log('\n| workers | route | req/s | vs plain | p99 ms | 429 share |');
  log('| ------: | ----- | ----: | -------: | -----: | --------: |');
  for (const workers of [1, 2]) {
    const plain = median(results.get(`${workers}|plain`)?.rps ?? []);
    for (const route of ROUTES) {
      const entry = results.get(`${workers}|${route.name}`);
      const rps = median(entry?.rps ?? []);
      const p99 = median(entry?.p99 ?? []);
      const refused = median(entry?.non2xx ?? []);
      const vs = rps === null || plain === null ? 'n/a' : `${(rps / plain).toFixed(2)}x`;
      log(
        `| ${workers} | ${route.name} | ${rps?.toFixed(0) ?? 'n/a'} | ${vs} | ` +
          `${p99?.toFixed(2) ?? 'n/a'} | ${((refused ?? 0) * 100).toFixed(0)}% |`,
      );
    }
  }
  return 0;
}

await runBench(
  'bench:rate-limit',
  () => readSettings().timeout,
  main,
  () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  },
);
