// Folds the passes into medians per server and workload, with ratios against nginx and node:http
// measured in the same run.
import { median, ratio } from './stats.mjs';

/**
 * @typedef {object} ThroughputRow
 * @property {string} workload
 * @property {string} server
 * @property {number | null} requestsPerSecond median across passes
 * @property {number | null} p99Ms median across passes
 * @property {number | null} vsNginx requestsPerSecond / nginx's
 * @property {number | null} vsNodeHttp requestsPerSecond / node:http's
 * @property {number | null} vsNodeNet requestsPerSecond / the raw node:net responder's
 * @property {number | null} cpuUsPerRequest median µs of server CPU (user + system) per request
 * @property {number | null} cpuVsNodeHttp node:http's CPU per request / this server's (higher is better)
 * @property {number | null} cpuVsNodeNet the same against the raw node:net responder
 * @property {number} errors socket errors and non-2xx responses, summed over passes
 * @property {number[]} samples requests per second of each pass
 */

/**
 * @typedef {object} MemoryRow
 * @property {string} server
 * @property {number | null} rssIdle median bytes
 * @property {number | null} rssAfterLoad median bytes
 * @property {number | null} idleExtra median bytes added by the idle connections
 * @property {number | null} idleHeld median connections still open when measured
 * @property {number} idleRequested
 */

/**
 * @typedef {object} Summary
 * @property {ThroughputRow[]} throughput
 * @property {MemoryRow[]} memory
 */

/**
 * @param {import('./pass.mjs').ServerPassResult[][]} passes
 * @param {string[]} servers names in run order
 * @param {import('./workloads.mjs').Workload[]} workloads
 * @param {number} idleRequested
 * @returns {Summary}
 */
export function summarize(passes, servers, workloads, idleRequested) {
  /** @param {string} server */
  const resultsOf = (server) => passes.flat().filter((r) => r.server === server);
  /**
   * @param {string} server
   * @param {string} workload
   */
  const runsOf = (server, workload) =>
    resultsOf(server).flatMap((r) => {
      const run = r.workloads[workload];
      return run === undefined ? [] : [run];
    });

  /** @type {ThroughputRow[]} */
  const throughput = [];
  for (const workload of workloads) {
    const nginx = median(runsOf('nginx', workload.name).map((run) => run.requestsPerSecond));
    const nodeHttp = median(runsOf('node-http', workload.name).map((run) => run.requestsPerSecond));
    const nodeNet = median(runsOf('node-net', workload.name).map((run) => run.requestsPerSecond));
    const cpuOf = (/** @type {string} */ server) =>
      median(runsOf(server, workload.name).map((run) => run.cpuUsPerRequest ?? null));
    const nodeHttpCpu = cpuOf('node-http');
    const nodeNetCpu = cpuOf('node-net');
    for (const server of servers) {
      const runs = runsOf(server, workload.name);
      const samples = runs.map((run) => run.requestsPerSecond);
      const rps = median(samples);
      throughput.push({
        workload: workload.name,
        server,
        requestsPerSecond: rps,
        p99Ms: median(runs.map((run) => run.p99Ms)),
        vsNginx: ratio(rps, nginx),
        vsNodeHttp: ratio(rps, nodeHttp),
        vsNodeNet: ratio(rps, nodeNet),
        cpuUsPerRequest: cpuOf(server),
        cpuVsNodeHttp: ratio(nodeHttpCpu, cpuOf(server)),
        cpuVsNodeNet: ratio(nodeNetCpu, cpuOf(server)),
        errors: runs.reduce((sum, run) => sum + run.socketErrors + run.non2xx, 0),
        samples,
      });
    }
  }

  /** @type {MemoryRow[]} */
  const memory = servers.map((server) => {
    const results = resultsOf(server);
    return {
      server,
      rssIdle: median(results.map((r) => r.rssIdle)),
      rssAfterLoad: median(results.map((r) => r.rssAfterLoad)),
      idleExtra: median(results.map((r) => r.idle?.extra)),
      idleHeld: median(results.map((r) => r.idle?.held)),
      idleRequested,
    };
  });
  return { throughput, memory };
}
