// A cluster primary: forks workers (process/supervisor.ts) and serves what only it can (UDP
// forwards, the admin listener). Loaded only when a command runs more than one process.
import type { Config } from '../config/schema.js';
import type { RunningServer } from '../runtime/start.js';
import type { Logger } from '../log/logger.js';
import { checkInChild } from '../process/config-check.js';
import type { ConfigRequest } from '../process/config-request.js';
import { Supervisor } from '../process/supervisor.js';
import { hasUdp, udpOnly, withoutUdp } from '../process/udp-split.js';
import type { AdminSource } from '../handlers/admin/source.js';
import { ProcessMetrics } from '../metrics/process-metrics.js';
import { mergeSnapshots } from '../metrics/snapshot.js';
import { type Target, stopBudgetMs } from './server-target.js';

/**
 * What a cluster primary serves itself: the UDP forwards (a session must live in one process)
 * and the admin listener (it speaks for every worker). Started on the first config that has
 * either; a primary with neither never loads the engine.
 */
class PrimaryServer {
  #server: RunningServer | null = null;
  readonly #logger: Logger;
  readonly #admin: AdminSource;
  readonly #metrics: ProcessMetrics;

  constructor(logger: Logger, admin: AdminSource, metrics: ProcessMetrics) {
    this.#logger = logger;
    this.#admin = admin;
    this.#metrics = metrics;
  }

  get urls(): readonly string[] {
    return this.#server?.addresses.map((a) => a.url) ?? [];
  }

  /** Unchanged UDP listeners keep their sessions: the primary is never replaced. */
  async apply(config: Config): Promise<void> {
    if (this.#server !== null) {
      await this.#server.reloadValidated(udpOnly(config));
    } else if (hasUdp(config) || config.admin !== undefined) {
      const { startValidated } = await import('../runtime/start.js');
      this.#server = await startValidated(udpOnly(config), {
        logger: this.#logger,
        admin: this.#admin,
        metrics: this.#metrics,
      });
    }
  }

  reopenLogs(): void {
    this.#server?.reopenLogs();
  }

  /** After the workers: they served timeouts.shutdown_delay already (these UDP forwards too). */
  async stop(): Promise<void> {
    await this.#server?.stop({ delay: false });
  }
}

export async function startCluster(
  request: ConfigRequest,
  config: Config,
  workers: number,
  logger: Logger,
): Promise<Target> {
  const shutdownMs = stopBudgetMs(config);
  const supervisor = new Supervisor(withoutUdp(config), { workers, logger, shutdownMs });
  let started = false;
  const metrics = new ProcessMetrics('primary');
  if (config.admin !== undefined) metrics.watchLoopDelay();
  const control = {
    reloadsOk: 0,
    reloadsFailed: 0,
    get workerRestarts() {
      return supervisor.restarts;
    },
    workersServing: () => supervisor.serving,
  };
  metrics.control = control;
  // The admin listener speaks for the whole cluster: ready once every worker served, until a
  // stop; its metrics are the primary's and every worker's together.
  const admin: AdminSource = {
    ready: () => started && !supervisor.stopping && supervisor.serving > 0,
    metrics: async () =>
      mergeSnapshots([metrics.snapshot(), ...(await supervisor.collectMetrics())]),
  };
  // UDP forwards and the admin listener first, in this process: a taken port fails before any
  // worker is forked.
  const udp = new PrimaryServer(logger, admin, metrics);
  await udp.apply(config);
  let urls: readonly string[];
  try {
    urls = await supervisor.start();
  } catch (error) {
    await Promise.all([supervisor.stop(), udp.stop()]);
    throw error;
  }
  started = true;
  const count = workers === 1 ? '1 worker' : `${workers} workers`;
  for (const url of urls) logger.info(`Listening on ${url} (${count})`);
  for (const url of udp.urls)
    logger.info(`Listening on ${url} (in the primary: one session per client)`);
  return {
    urls: [...urls, ...udp.urls],
    shutdownMs,
    // Validated in a child first (which issues `tls: internal` certificates): a bad file never
    // reaches a worker, nor this process.
    reload: async () => {
      try {
        const next = await checkInChild(request);
        for (const note of next.notes) logger[note.level](note.message);
        await udp.apply(next.config);
        await supervisor.reload(withoutUdp(next.config));
        control.reloadsOk++;
      } catch (error) {
        control.reloadsFailed++;
        throw error;
      }
    },
    // The workers drain first: the admin listener (in `udp`) answers /readyz 503 meanwhile.
    stop: async () => {
      await supervisor.stop();
      await udp.stop();
    },
    reopenLogs: () => {
      supervisor.reopenLogs();
      udp.reopenLogs();
    },
  };
}
