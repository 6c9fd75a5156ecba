// Settings of `npm run bench:reload`, read once from BENCH_* environment variables.
import { readList, readNumber } from './settings.mjs';

/**
 * @typedef {object} ReloadSettings
 * @property {number} duration seconds of each measured wrk run (BENCH_DURATION)
 * @property {number} warmup seconds of the discarded wrk run before each pair (BENCH_WARMUP)
 * @property {number} connections wrk -c (BENCH_CONNECTIONS)
 * @property {number} reloads reloads during each loaded run (BENCH_RELOADS)
 * @property {number} interval seconds between reloads (BENCH_RELOAD_INTERVAL)
 * @property {number[]} workers porta `workers:` values to run, in order (BENCH_RELOAD_WORKERS)
 * @property {string[]} routes route kinds to run: respond, static (BENCH_RELOAD_ROUTES)
 * @property {string[]} workloads keep-alive, close (BENCH_WORKLOADS)
 * @property {number} timeout seconds before the whole run is stopped (BENCH_TIMEOUT)
 */

/** @returns {ReloadSettings} */
export function readReloadSettings() {
  const duration = readNumber('BENCH_DURATION', 12, 1);
  const warmup = readNumber('BENCH_WARMUP', 1, 0);
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const reloads = Math.round(readNumber('BENCH_RELOADS', 10, 1));
  const interval = readNumber('BENCH_RELOAD_INTERVAL', 1, 0.1);
  const workers = (readList('BENCH_RELOAD_WORKERS') ?? ['2', '1']).map((w) => {
    const n = Number(w);
    if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_RELOAD_WORKERS: bad count ${w}`);
    return n;
  });
  const routes = readList('BENCH_RELOAD_ROUTES') ?? ['respond', 'static'];
  const workloads = readList('BENCH_WORKLOADS') ?? ['keep-alive', 'close'];
  for (const route of routes) {
    if (route !== 'respond' && route !== 'static') {
      throw new Error(`BENCH_RELOAD_ROUTES: expected respond or static, got ${route}`);
    }
  }
  for (const workload of workloads) {
    if (workload !== 'keep-alive' && workload !== 'close') {
      throw new Error(`BENCH_WORKLOADS: expected keep-alive or close, got ${workload}`);
    }
  }
  // Per server: start, then per workload a warm-up, two runs and up to 20 s for the reloads to land.
  const perServer = 20 + workloads.length * (warmup + 2 * (duration + 3) + 20);
  const timeout = readNumber('BENCH_TIMEOUT', workers.length * routes.length * perServer + 60, 10);
  return {
    duration,
    warmup,
    connections,
    reloads,
    interval,
    workers,
    routes,
    workloads,
    timeout,
  };
}
