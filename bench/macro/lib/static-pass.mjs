// One pass of the static benchmark: every server started side by side (pinned, idle while not
// under load), each wrk workload run against each server in turn with the server's CPU time read
// around the measured run; then each server started fresh, alone, for the large downloads.
import { treeRss } from './rss.mjs';
import { startServer } from './server-process.mjs';
import { treeCpuSeconds } from './cpu.mjs';
import { measureDownloads } from './static-download.mjs';
import { runWrk } from './wrk.mjs';

/**
 * @typedef {import('./wrk-output.mjs').WrkResult & { cpuSeconds: number, cpuUsPerRequest: number | null }} StaticWrkResult
 * cpuSeconds: the server's user + system CPU over the measured run; cpuUsPerRequest: that over
 * wrk's request count, in microseconds.
 */

/**
 * @typedef {object} StaticServerPassResult
 * @property {string} server
 * @property {number | null} rssIdle bytes, after start and before any load
 * @property {number | null} rssAfterLoad bytes, after the last wrk workload
 * @property {Record<string, StaticWrkResult>} workloads by workload name
 * @property {import('./static-download.mjs').DownloadResult | null} download
 * @property {string[]} errors what went wrong, if anything (the run goes on with the next step)
 */

/**
 * @typedef {object} StaticPassOptions
 * @property {import('./servers.mjs').ServerSpec[]} servers
 * @property {import('./static-workloads.mjs').StaticWorkload[]} workloads wrk workloads to run
 * @property {boolean} download whether to run the download step
 * @property {import('./static-files.mjs').StaticFiles} files
 * @property {import('./static-settings.mjs').StaticSettings} settings
 * @property {string} wrk
 * @property {string | null} curl
 * @property {{ server: number | null, load: number | null }} cpus
 * @property {(line: string) => void} log
 */

/**
 * @param {StaticPassOptions} options
 * @returns {Promise<StaticServerPassResult[]>}
 */
export async function runStaticPass(options) {
  const { servers, log } = options;
  /** @type {Map<string, StaticServerPassResult>} */
  const results = new Map();
  for (const spec of servers) {
    results.set(spec.name, {
      server: spec.name,
      rssIdle: null,
      rssAfterLoad: null,
      workloads: {},
      download: null,
      errors: [],
    });
  }
  /** @param {string} name */
  const resultOf = (name) => /** @type {StaticServerPassResult} */ (results.get(name));
  /**
   * @param {string} name
   * @param {string} step
   * @param {unknown} error
   */
  const fail = (name, step, error) => {
    resultOf(name).errors.push(`${step}: ${String(error)}`);
    log(`  ${name} ${step}: FAILED ${String(error)}`);
  };

  if (options.workloads.length > 0) await runWrkWorkloads(options, resultOf, fail);
  if (options.download) {
    for (const spec of servers) {
      try {
        const download = await downloadFromFreshServer(spec, options);
        resultOf(spec.name).download = download;
        const speeds = download.bytesPerSecond.map((b) => (b / 1e6).toFixed(0)).join(', ');
        log(
          `  download ${spec.name}: ${speeds} MB/s, RSS +${(download.rssGrowth / 1048576).toFixed(1)} MiB` +
            (download.errors.length > 0 ? `, ${download.errors.length} failed` : ''),
        );
        for (const error of download.errors) fail(spec.name, 'download', error);
      } catch (error) {
        fail(spec.name, 'download', error);
      }
    }
  }
  return servers.map((spec) => resultOf(spec.name));
}

/**
 * The wrk workloads, all servers running side by side, each workload against each server in turn.
 * @param {StaticPassOptions} options
 * @param {(name: string) => StaticServerPassResult} resultOf
 * @param {(name: string, step: string, error: unknown) => void} fail
 */
async function runWrkWorkloads({ servers, workloads, settings, wrk, cpus, log }, resultOf, fail) {
  /** @type {import('./server-process.mjs').StartedServer[]} */
  const started = [];
  try {
    for (const spec of servers) {
      try {
        const server = await startServer(spec, cpus.server);
        started.push(server);
        resultOf(spec.name).rssIdle = treeRss(server.pid);
      } catch (error) {
        fail(spec.name, 'start', error);
      }
    }
    for (const workload of workloads) {
      for (const server of started) {
        const name = server.spec.name;
        if (!server.alive()) continue;
        const url = `http://127.0.0.1:${server.port}/${workload.file}`;
        const common = { wrk, url, workload, connections: settings.connections, cpu: cpus.load };
        try {
          if (settings.warmup > 0) await runWrk({ ...common, seconds: settings.warmup });
          const cpuBefore = treeCpuSeconds(server.pid);
          const measured = await runWrk({ ...common, seconds: settings.duration });
          const cpuSeconds = treeCpuSeconds(server.pid) - cpuBefore;
          const cpuUsPerRequest =
            measured.requests > 0 ? (cpuSeconds * 1e6) / measured.requests : null;
          resultOf(name).workloads[workload.name] = { ...measured, cpuSeconds, cpuUsPerRequest };
          const errors = measured.socketErrors + measured.non2xx;
          log(
            `  ${workload.name} ${name}: ${Math.round(measured.requestsPerSecond)} req/s, ` +
              `${cpuUsPerRequest === null ? 'n/a' : cpuUsPerRequest.toFixed(1)} µs CPU/req, ` +
              `p99 ${measured.p99Ms ?? 'n/a'} ms${errors > 0 ? `, ${errors} errors` : ''}`,
          );
        } catch (error) {
          fail(name, workload.name, error);
        }
      }
    }
    for (const server of started) {
      if (server.alive()) resultOf(server.spec.name).rssAfterLoad = treeRss(server.pid);
      else fail(server.spec.name, 'load', `exited during the run:\n${server.output()}`);
    }
  } finally {
    for (const server of started) await server.stop();
  }
}

/**
 * The downloads against a freshly started server alone, so its RSS before them is its idle size
 * and nothing left by the wrk runs hides (or inflates) what a download costs.
 * @param {import('./servers.mjs').ServerSpec} spec
 * @param {StaticPassOptions} options
 * @returns {Promise<import('./static-download.mjs').DownloadResult>}
 */
async function downloadFromFreshServer(spec, { files, settings, curl, cpus }) {
  if (curl === null) throw new Error('curl is not installed');
  const server = await startServer(spec, cpus.server);
  try {
    return await measureDownloads({
      curl,
      serverPid: server.pid,
      url: `http://127.0.0.1:${server.port}/${files.download.name}`,
      size: files.download.size,
      count: settings.downloads,
      sampleMs: settings.rssSampleMs,
      cpu: cpus.load,
    });
  } finally {
    await server.stop();
  }
}
