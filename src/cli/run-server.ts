// Runs a server from a Config until SIGINT/SIGTERM: in-process, or as a cluster of workers; SIGHUP reloads.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { stringify } from 'yaml';
import type { Config, ConfigInput } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { checkPlan } from '../config/build-plan.js';
import { parseDuration } from '../config/units.js';
import { type Logger, createLogger } from '../log/logger.js';
import { formatUrl, reachableHosts } from '../net/listen-address.js';
import { type ServerTarget, handleSignals, setProcessTitle } from '../process/signals.js';
import { Supervisor } from '../process/supervisor.js';
import { watchForReload } from '../process/file-watch.js';
import { hasOnlyUdp, udpOnly, withoutUdp } from '../process/udp-split.js';
import { runWorker } from '../process/worker.js';
import { type RunningServer, reportIssued, start } from '../runtime/start.js';
import { ProcessMetrics } from '../metrics/process-metrics.js';
import { mergeSnapshots } from '../metrics/snapshot.js';
import { connectionShare } from '../runtime/connection-guard.js';
import { fdLimitWarning, readOpenFileLimit } from '../runtime/fd-limit.js';
import { portaDataDir } from '../tls/data-dir.js';
import { issueInternalCertificates } from '../tls/internal-certificates.js';
import { PACKAGE_VERSION } from './version.js';

export interface RunOptions {
  /** Loads the config again for SIGHUP / `porta reload`; without it SIGHUP is ignored. */
  readonly reloadSource?: () => Promise<ConfigInput>;
  /** Write the primary's pid here while running. */
  readonly pidFile?: string;
  /** Called once serving (tests and `--open`). */
  readonly onStarted?: (urls: readonly string[]) => void;
  /** Development: a change under this folder reloads the server (fresh workers). */
  readonly watchFolder?: string;
}

/** Apps run in workers even when there is one: a reload then loads their modules afresh. */
function hasApps(config: Config): boolean {
  return config.sites.some((site) => site.routes.some((route) => route.app !== undefined));
}

/** Prints the config as porta.yaml (the --print-config of every one-liner). */
export function printConfig(config: ConfigInput): void {
  process.stdout.write(`# porta.yaml\n${stringify(withoutEmptySections(config))}`);
}

/** Drops `log: {}` and the like, so the printed file holds only what the flags chose. */
function withoutEmptySections(config: ConfigInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config) as [string, unknown][]) {
    const empty = typeof value === 'object' && value !== null && Object.keys(value).length === 0;
    if (!empty && value !== undefined) out[key] = value;
  }
  return out;
}

function workerCount(config: Config): number {
  return config.workers === 'auto' ? availableParallelism() : config.workers;
}

/**
 * Starts serving and returns once listening; stops gracefully on the first SIGINT/SIGTERM
 * (a second one exits at once). In a cluster worker this only waits for the primary's orders.
 */
export async function runServer(input: ConfigInput, options: RunOptions = {}): Promise<void> {
  if (cluster.isWorker) {
    runWorker();
    return;
  }
  setProcessTitle();
  const config = validateConfig(input);
  const checked = await checkPlan(config); // catch plan errors (addresses, duplicates) before forking anything
  const logger = createLogger({
    level: config.log.level,
    path: config.log.error_path,
    format: config.log.format,
  });
  // `tls: internal` leaves are made here once, so workers find them on disk instead of racing.
  await issueInternalCertificates(checked, portaDataDir(), (issued) => {
    reportIssued(issued, logger);
  });
  // UDP sessions live in one process: a config of UDP forwards alone needs no workers.
  const workers = hasOnlyUdp(config) ? 1 : workerCount(config);
  logger.info(
    `Starting porta ${PACKAGE_VERSION} (node ${process.version}, pid ${process.pid}, ` +
      `${workers > 1 ? `${workers} workers` : hasApps(config) ? '1 worker' : '1 process'})`,
  );
  const fdWarning = fdLimitWarning(
    readOpenFileLimit(),
    config.limits.max_connections,
    connectionShare(config.limits.max_connections, workers),
  );
  if (fdWarning !== null) logger.warning(fdWarning);
  const target =
    workers === 1 && !hasApps(config)
      ? await startSingle(config, logger)
      : await startCluster(config, workers, logger);
  announceWildcards(target.urls, logger);
  handleSignals(target, {
    logger,
    reloadSource: options.reloadSource,
    pidFile: options.pidFile,
    // Past the shutdown timeout (and the 5 s the supervisor gives a worker after it): give up.
    stopDeadlineMs: stopBudgetMs(config) + 10_000,
  });
  if (options.watchFolder !== undefined) {
    const stopWatching = watchForReload(options.watchFolder, logger, async () => {
      await target.reload(input);
      logger.info('Reloaded after the change');
    });
    process.once('exit', stopWatching);
  }
  options.onStarted?.(target.urls);
}

/** For a listener on every interface, says the URLs it can be reached at on this machine. */
function announceWildcards(urls: readonly string[], logger: Logger): void {
  for (const url of urls) {
    const { protocol, hostname, port } = new URL(url);
    if (hostname !== '0.0.0.0' && hostname !== '[::]' && hostname !== 'localhost') continue;
    const bound = hostname === '0.0.0.0' ? '0.0.0.0' : hostname === '[::]' ? '::' : undefined;
    const reachable = reachableHosts(bound).map((host) =>
      formatUrl(protocol.slice(0, -1), host, Number(port)),
    );
    logger.info(`Reachable at ${reachable.join(', ')}`);
  }
}

/** What both modes offer the signal handlers. */
interface Target extends ServerTarget {
  readonly urls: readonly string[];
}

async function startSingle(config: Config, logger: Logger): Promise<Target> {
  const server: RunningServer = await start(config, { logger });
  return {
    urls: server.addresses.map((a) => a.url),
    reload: (next) => server.reload(next),
    reopenLogs: () => {
      server.reopenLogs();
    },
    stop: () => server.stop(),
  };
}

async function startCluster(config: Config, workers: number, logger: Logger): Promise<Target> {
  const supervisor = new Supervisor(withoutUdp(config), {
    workers,
    logger,
    shutdownMs: stopBudgetMs(config),
  });
  let started = false;
  const metrics = new ProcessMetrics('primary');
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
  const admin = {
    ready: () => started && !supervisor.stopping && supervisor.serving > 0,
    metrics: async () =>
      mergeSnapshots([metrics.snapshot(), ...(await supervisor.collectMetrics())]),
  };
  // UDP forwards and the admin listener first, in this process: a taken port fails before any
  // worker is forked.
  const udp = await start(udpOnly(config), { logger, admin, metrics });
  const udpUrls = udp.addresses.map((a) => a.url);
  let urls: readonly string[];
  try {
    urls = await supervisor.start();
    started = true;
  } catch (error) {
    await Promise.all([supervisor.stop(), udp.stop()]);
    throw error;
  }
  const count = workers === 1 ? '1 worker' : `${workers} workers`;
  for (const url of urls) logger.info(`Listening on ${url} (${count})`);
  for (const url of udpUrls)
    logger.info(`Listening on ${url} (in the primary: one session per client)`);
  return {
    urls: [...urls, ...udpUrls],
    // Validate in the primary first: a bad file never reaches a worker.
    reload: async (next) => {
      try {
        const valid = validateConfig(next);
        await issueInternalCertificates(await checkPlan(valid), portaDataDir(), (issued) => {
          reportIssued(issued, logger);
        });
        // Unchanged UDP listeners keep their sessions: the primary is not replaced.
        await udp.reload(udpOnly(valid));
        await supervisor.reload(withoutUdp(valid));
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

/** A graceful stop's budget: serving on for shutdown_delay, then draining for shutdown. */
function stopBudgetMs(config: Config): number {
  return parseDuration(config.timeouts.shutdown) + parseDuration(config.timeouts.shutdown_delay);
}
