// Runs a server from a Config until SIGINT/SIGTERM: in-process, or as a cluster of workers; SIGHUP reloads.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { stringify } from 'yaml';
import type { Config, ConfigInput } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { checkPlan } from '../config/build-plan.js';
import { parseDuration } from '../config/units.js';
import { isPortaError } from '../errors.js';
import { type Logger, createLogger } from '../log/logger.js';
import { formatUrl, reachableHosts } from '../net/listen-address.js';
import { removePidFile, writePidFile } from '../process/pid-file.js';
import { Supervisor } from '../process/supervisor.js';
import { runWorker } from '../process/worker.js';
import { type RunningServer, reportIssued, start } from '../runtime/start.js';
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
  const config = validateConfig(input);
  const checked = await checkPlan(config); // catch plan errors (addresses, duplicates) before forking anything
  const logger = createLogger({ level: config.log.level, path: config.log.error_path });
  // `tls: internal` leaves are made here once, so workers find them on disk instead of racing.
  await issueInternalCertificates(checked, portaDataDir(), (issued) => {
    reportIssued(issued, logger);
  });
  const workers = workerCount(config);
  logger.info(
    `Starting porta ${PACKAGE_VERSION} (node ${process.version}, pid ${process.pid}, ` +
      `${workers === 1 ? '1 process' : `${workers} workers`})`,
  );
  const target =
    workers === 1 ? await startSingle(config, logger) : await startCluster(config, workers, logger);
  announceWildcards(target.urls, logger);
  if (options.pidFile !== undefined) writePidFile(options.pidFile, process.pid);
  options.onStarted?.(target.urls);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warning(`Got ${signal} again: exiting now`);
      process.exit(1);
    }
    signalled = true;
    logger.info(`Got ${signal}: shutting down gracefully`);
    void target.stop().then(
      async () => {
        if (options.pidFile !== undefined) removePidFile(options.pidFile, process.pid);
        logger.info('Stopped');
        await logger.close();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const source = options.reloadSource;
  process.on('SIGHUP', () => {
    if (source === undefined) {
      logger.warning('Got SIGHUP, but this server has no config file to reload');
      return;
    }
    logger.info('Got SIGHUP: reloading the configuration');
    void source()
      .then((next) => target.reload(next))
      .then(
        () => {
          logger.info('Configuration reloaded');
        },
        (error: unknown) => {
          const message = isPortaError(error) ? error.message : String(error);
          logger.error(`Reload failed, still running the previous configuration: ${message}`);
        },
      );
  });
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
interface Target {
  readonly urls: readonly string[];
  reload(config: ConfigInput): Promise<void>;
  stop(): Promise<void>;
}

async function startSingle(config: Config, logger: Logger): Promise<Target> {
  const server: RunningServer = await start(config, { logger });
  return {
    urls: server.addresses.map((a) => a.url),
    reload: (next) => server.reload(next),
    stop: () => server.stop(),
  };
}

async function startCluster(config: Config, workers: number, logger: Logger): Promise<Target> {
  const supervisor = new Supervisor(config, {
    workers,
    logger,
    shutdownMs: parseDuration(config.timeouts.shutdown),
  });
  const urls = await supervisor.start();
  for (const url of urls) logger.info(`Listening on ${url} (${workers} workers)`);
  return {
    urls,
    // Validate in the primary first: a bad file never reaches a worker.
    reload: async (next) => {
      const valid = validateConfig(next);
      await issueInternalCertificates(await checkPlan(valid), portaDataDir(), (issued) => {
        reportIssued(issued, logger);
      });
      await supervisor.reload(valid);
    },
    stop: () => supervisor.stop(),
  };
}
