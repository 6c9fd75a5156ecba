// Folds the static benchmark's passes into medians per server and workload, with ratios against
// nginx and http-server measured in the same run: req/s, server CPU per request, downloads, RSS.
import { median, ratio } from './stats.mjs';

/**
 * @typedef {object} StaticThroughputRow
 * @property {string} workload
 * @property {string} server
 * @property {number | null} requestsPerSecond median across passes
 * @property {number | null} p99Ms median across passes
 * @property {number | null} vsNginx requestsPerSecond / nginx's
 * @property {number | null} vsHttpServer requestsPerSecond / http-server's
 * @property {number | null} cpuUsPerRequest median µs of server CPU per request
 * @property {number | null} cpuVsNginx nginx's CPU per request / this server's: requests per
 *   CPU-second relative to nginx, higher is better like the req/s ratios
 * @property {number | null} cpuVsHttpServer the same against http-server
 * @property {number} errors socket errors and non-2xx responses, summed over passes
 * @property {number[]} samples requests per second of each pass
 * @property {Array<number | null>} cpuSamples µs per request of each pass
 */

/**
 * @typedef {object} StaticDownloadRow
 * @property {string} server
 * @property {number | null} megabytesPerSecond median over every download of every pass (10^6 B/s)
 * @property {number | null} vsNginx
 * @property {number | null} vsHttpServer
 * @property {number | null} cpuSecondsPerDownload median across passes
 * @property {number | null} rssIdle median bytes before the downloads
 * @property {number | null} rssPeak median (across passes) of each pass's highest reading
 * @property {number | null} rssGrowth median of each pass's peak - idle
 * @property {number} errors failed or short downloads, summed over passes
 * @property {number[]} samples MB/s of each download
 */

/**
 * @typedef {object} StaticMemoryRow
 * @property {string} server
 * @property {number | null} rssIdle median bytes after start, before the wrk runs
 * @property {number | null} rssAfterLoad median bytes after the last wrk run
 */

/**
 * @typedef {object} StaticSummary
 * @property {StaticThroughputRow[]} throughput
 * @property {StaticDownloadRow[]} downloads
 * @property {StaticMemoryRow[]} memory
 */

/**
 * A ratio of two costs (lower is better) turned around, base / value, so it reads like req/s.
 * @param {number | null} value
 * @param {number | null} base
 * @returns {number | null}
 */
function inverseRatio(value, base) {
  return ratio(base, value);
}

/**
 * @param {import('./static-pass.mjs').StaticServerPassResult[][]} passes
 * @param {string[]} servers names in run order
 * @param {import('./static-workloads.mjs').StaticWorkload[]} workloads
 * @param {boolean} download whether the download step ran
 * @returns {StaticSummary}
 */
export function summarizeStatic(passes, servers, workloads, download) {
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
  /**
   * @param {string} server
   * @param {string} workload
   */
  const medians = (server, workload) => {
    const runs = runsOf(server, workload);
    return {
      runs,
      rps: median(runs.map((run) => run.requestsPerSecond)),
      cpu: median(runs.map((run) => run.cpuUsPerRequest)),
    };
  };

  /** @type {StaticThroughputRow[]} */
  const throughput = [];
  for (const workload of workloads) {
    const nginx = medians('nginx', workload.name);
    const httpServer = medians('http-server', workload.name);
    for (const server of servers) {
      const { runs, rps, cpu } = medians(server, workload.name);
      throughput.push({
        workload: workload.name,
        server,
        requestsPerSecond: rps,
        p99Ms: median(runs.map((run) => run.p99Ms)),
        vsNginx: ratio(rps, nginx.rps),
        vsHttpServer: ratio(rps, httpServer.rps),
        cpuUsPerRequest: cpu,
        cpuVsNginx: inverseRatio(cpu, nginx.cpu),
        cpuVsHttpServer: inverseRatio(cpu, httpServer.cpu),
        errors: runs.reduce((sum, run) => sum + run.socketErrors + run.non2xx, 0),
        samples: runs.map((run) => run.requestsPerSecond),
        cpuSamples: runs.map((run) => run.cpuUsPerRequest),
      });
    }
  }

  /** @param {string} server */
  const downloadsOf = (server) =>
    resultsOf(server).flatMap((r) => (r.download === null ? [] : [r.download]));
  /** @param {string} server */
  const speedOf = (server) =>
    median(downloadsOf(server).flatMap((d) => d.bytesPerSecond.map((b) => b / 1e6)));
  /** @type {StaticDownloadRow[]} */
  const downloads = download
    ? servers.map((server) => {
        const runs = downloadsOf(server);
        const speed = speedOf(server);
        return {
          server,
          megabytesPerSecond: speed,
          vsNginx: ratio(speed, speedOf('nginx')),
          vsHttpServer: ratio(speed, speedOf('http-server')),
          cpuSecondsPerDownload: median(runs.map((d) => d.cpuSecondsPerDownload)),
          rssIdle: median(runs.map((d) => d.rssIdle)),
          rssPeak: median(runs.map((d) => d.rssPeak)),
          rssGrowth: median(runs.map((d) => d.rssGrowth)),
          errors: runs.reduce((sum, d) => sum + d.errors.length, 0),
          samples: runs.flatMap((d) => d.bytesPerSecond.map((b) => b / 1e6)),
        };
      })
    : [];

  /** @type {StaticMemoryRow[]} */
  const memory = servers.map((server) => {
    const results = resultsOf(server);
    return {
      server,
      rssIdle: median(results.map((r) => r.rssIdle)),
      rssAfterLoad: median(results.map((r) => r.rssAfterLoad)),
    };
  });
  return { throughput, downloads, memory };
}
