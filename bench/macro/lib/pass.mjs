// One pass: every server started side by side (pinned to the server CPU, idle while not under
// load), each workload run against each server in turn, RSS read before and after; then each
// server started fresh, alone, to hold idle keep-alive connections.
import { treeCpuSeconds } from './cpu.mjs';
import { measureIdleConnections } from './idle.mjs';
import { treeRss } from './rss.mjs';
import { startServer } from './server-process.mjs';
import { runWrk } from './wrk.mjs';

/**
 * @typedef {object} ServerPassResult
 * @property {string} server
 * @property {number | null} rssIdle bytes, after start and before any load
 * @property {number | null} rssAfterLoad bytes, after the last workload
 * @property {Record<string, import('./wrk-output.mjs').WrkResult>} workloads by workload name
 * @property {import('./idle.mjs').IdleResult | null} idle
 * @property {string[]} errors what went wrong, if anything (the run goes on with the next step)
 */

/**
 * @typedef {object} PassOptions
 * @property {import('./servers.mjs').ServerSpec[]} servers
 * @property {import('./workloads.mjs').Workload[]} workloads
 * @property {import('./settings.mjs').Settings} settings
 * @property {string} wrk
 * @property {{ server: number | null, load: number | null }} cpus
 * @property {(line: string) => void} log
 */

/**
 * @param {PassOptions} options
 * @returns {Promise<ServerPassResult[]>}
 */
export async function runPass({ servers, workloads, settings, wrk, cpus, log }) {
  /** @type {Map<string, ServerPassResult>} */
  const results = new Map();
  for (const spec of servers) {
    results.set(spec.name, {
      server: spec.name,
      rssIdle: null,
      rssAfterLoad: null,
      workloads: {},
      idle: null,
      errors: [],
    });
  }
  /** @param {string} name */
  const resultOf = (name) => /** @type {ServerPassResult} */ (results.get(name));
  /**
   * @param {string} name
   * @param {string} step
   * @param {unknown} error
   */
  const fail = (name, step, error) => {
    resultOf(name).errors.push(`${step}: ${String(error)}`);
    log(`  ${name} ${step}: FAILED ${String(error)}`);
  };

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
        const url = `http://127.0.0.1:${server.port}/`;
        const common = { wrk, url, workload, connections: settings.connections, cpu: cpus.load };
        try {
          if (settings.warmup > 0) await runWrk({ ...common, seconds: settings.warmup });
          const cpuBefore = treeCpuSeconds(server.pid);
          const run = await runWrk({ ...common, seconds: settings.duration });
          const cpuSeconds = treeCpuSeconds(server.pid) - cpuBefore;
          // Steadier than req/s on a shared machine: what the server spent per request.
          const cpuUsPerRequest = run.requests > 0 ? (cpuSeconds * 1e6) / run.requests : null;
          const measured = { ...run, cpuUsPerRequest };
          resultOf(name).workloads[workload.name] = measured;
          const errors = measured.socketErrors + measured.non2xx;
          log(
            `  ${workload.name} ${name}: ${Math.round(measured.requestsPerSecond)} req/s, ` +
              `p99 ${measured.p99Ms ?? 'n/a'} ms, ` +
              `${cpuUsPerRequest === null ? 'n/a' : cpuUsPerRequest.toFixed(1)} µs CPU/req` +
              `${errors > 0 ? `, ${errors} errors` : ''}`,
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

  if (settings.idleConnections > 0) {
    for (const spec of servers) {
      try {
        const idle = await measureIdle(spec, settings.idleConnections, cpus);
        resultOf(spec.name).idle = idle;
        log(`  idle ${spec.name}: ${idle.held} held, +${(idle.extra / 1048576).toFixed(1)} MiB`);
      } catch (error) {
        fail(spec.name, 'idle connections', error);
      }
    }
  }
  return servers.map((spec) => resultOf(spec.name));
}

/**
 * Idle-connection memory on a freshly started server, so garbage left by the load runs does
 * not hide (or inflate) the cost of the connections themselves.
 * @param {import('./servers.mjs').ServerSpec} spec
 * @param {number} connections
 * @param {{ server: number | null, load: number | null }} cpus
 * @returns {Promise<import('./idle.mjs').IdleResult>}
 */
async function measureIdle(spec, connections, cpus) {
  const server = await startServer(spec, cpus.server);
  try {
    return await measureIdleConnections({
      serverPid: server.pid,
      port: server.port,
      connections,
      cpu: cpus.load,
    });
  } finally {
    await server.stop();
  }
}
