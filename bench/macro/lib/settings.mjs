// Benchmark settings read once from BENCH_* environment variables, with the defaults of the method.

/**
 * @typedef {object} Settings
 * @property {number} duration seconds of each measured wrk run (BENCH_DURATION)
 * @property {number} warmup seconds of the discarded wrk run before each measured one (BENCH_WARMUP)
 * @property {number} passes how many times the whole sequence runs; medians across them (BENCH_PASSES)
 * @property {number} connections wrk connections (BENCH_CONNECTIONS)
 * @property {number} pipelineDepth requests per write in the pipelined workload (BENCH_PIPELINE_DEPTH)
 * @property {number} idleConnections idle keep-alive sockets held per server, 0 skips (BENCH_IDLE_CONNS)
 * @property {string[] | null} servers names to run, null for all (BENCH_SERVERS=nginx,porta)
 * @property {string[] | null} workloads names to run, null for all (BENCH_WORKLOADS=keep-alive)
 * @property {number} timeout seconds the whole run may take before everything is stopped (BENCH_TIMEOUT)
 */

/**
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @returns {number}
 */
export function readNumber(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name}=${raw}: expected a number >= ${min}`);
  }
  return value;
}

/**
 * @param {string} name
 * @returns {string[] | null}
 */
export function readList(name) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return null;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** @returns {Settings} */
export function readSettings() {
  const duration = readNumber('BENCH_DURATION', 5, 1);
  const warmup = readNumber('BENCH_WARMUP', 1, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 2, 1));
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const pipelineDepth = Math.round(readNumber('BENCH_PIPELINE_DEPTH', 16, 1));
  const idleConnections = Math.round(readNumber('BENCH_IDLE_CONNS', 10_000, 0));
  const servers = readList('BENCH_SERVERS');
  const workloads = readList('BENCH_WORKLOADS');
  // Per server and pass: start, 3 workloads of (warm-up + run + slack), idle sockets; then margin.
  const perServer = 3 * (warmup + duration + 2) + (idleConnections > 0 ? 30 : 0) + 10;
  // Four servers, five with porta-before (BENCH_PORTA_BEFORE).
  const timeout = readNumber('BENCH_TIMEOUT', passes * 5 * perServer + 120, 10);
  return {
    duration,
    warmup,
    passes,
    connections,
    pipelineDepth,
    idleConnections,
    servers,
    workloads,
    timeout,
  };
}
