// Runs a server until SIGINT/SIGTERM: in one process, or as a cluster primary that never loads
// the config stack (a child validates, workers serve); SIGHUP reloads.
import { availableParallelism } from 'node:os';
import type { Config, ConfigInput } from '../config/schema.js';
import type { RunningServer } from '../runtime/start.js';
import { type Logger, createLogger } from '../log/logger.js';
import { formatUrl, reachableHosts } from '../net/listen-address.js';
import type { LoadedRequest } from '../process/config-source.js';
import { type ConfigRequest, requestedWorkers } from '../process/config-request.js';
import { handleSignals } from '../process/signals.js';
import { setProcessTitle } from '../process/process-title.js';
import { holdSighup, releaseSighup, sayEarlySighupWith } from '../process/early-sighup.js';
import { connectionShare, fdLimitWarning, readOpenFileLimit } from '../runtime/fd-limit.js';
import { type Target, stopBudgetMs } from './server-target.js';
import { PACKAGE_VERSION } from './version.js';

export interface RunOptions {
  /** Called once serving (tests and `--open`). */
  readonly onStarted?: (urls: readonly string[]) => void;
  /** SIGHUP reloads a one-liner's config too (`porta app`: fresh workers import the module again). */
  readonly reloadable?: boolean;
  /** Development: a change under this folder reloads the server (fresh workers). */
  readonly watchFolder?: string;
}

/** Apps run in workers even when there is one: a reload then loads their modules afresh. */
function hasApps(config: Config): boolean {
  return config.sites.some((site) => site.routes.some((route) => route.app !== undefined));
}

/** Whether a one-liner's config (not yet validated) has an `app` route. */
function requestHasApps(request: ConfigRequest): boolean {
  if (request.kind !== 'input') return false;
  return (request.input.sites ?? []).some((site) =>
    site.routes.some((route) => route.app !== undefined),
  );
}

/** Prints the config as porta.yaml (the --print-config of every one-liner). */
export async function printConfig(config: ConfigInput): Promise<void> {
  // Loaded here only: a server that runs never needs the YAML writer.
  const { stringify } = await import('yaml');
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

function countOf(workers: 'auto' | number): number {
  return workers === 'auto' ? availableParallelism() : workers;
}

/**
 * Starts serving and returns once listening; stops gracefully on the first SIGINT/SIGTERM
 * (a second one exits at once). A `file` request reloads on SIGHUP.
 */
export async function runServer(request: ConfigRequest, options: RunOptions = {}): Promise<void> {
  setProcessTitle();
  holdSighup(); // from main.ts already, unless called in code
  try {
    await run(request, options);
  } finally {
    releaseSighup();
  }
}

async function run(request: ConfigRequest, options: RunOptions): Promise<void> {
  const asked = requestedWorkers(request);
  // A one-liner's usual config is checked and filled in right here, without the schema library
  // (config/one-liner-config.ts): no thread, no child, no second Node start-up. Otherwise one
  // process validates in a thread it then terminates, loading the engine meanwhile: the config
  // stack's heap and code go with the thread. For a cluster, or when only the file knows the
  // count, or for apps (always in workers), a child validates and the primary keeps plain
  // JSON. Either check also issues `tls: internal` certificates, once.
  const single = asked !== undefined && countOf(asked) === 1 && !requestHasApps(request);
  // Asked for first: its files are read while the config modules below compile.
  const engine = single ? loadEngine() : null;
  const simple =
    request.kind === 'input'
      ? (await import('../config/one-liner-config.js')).oneLinerConfig(request.input)
      : null;
  const loaded: LoadedRequest =
    simple !== null
      ? { config: simple, pidFile: null, notes: [] }
      : single
        ? await checkInThread(request)
        : await (await import('../process/config-check.js')).checkInChild(request);
  // UDP sessions live in one process: a config of UDP forwards alone needs no workers.
  const onlyUdp =
    loaded.config.streams.length > 0 &&
    (await import('../process/udp-split.js')).hasOnlyUdp(loaded.config);
  const workers = onlyUdp ? 1 : countOf(loaded.config.workers);
  const { config } = loaded;
  // Apps run in workers even when there is one: a reload then loads their modules afresh.
  const clustered = workers > 1 || hasApps(config);
  const logger = createLogger({
    level: config.log.level,
    path: config.log.error_path,
    format: config.log.format,
  });
  sayEarlySighupWith(logger);
  for (const note of loaded.notes) logger[note.level](note.message);
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
  const target = clustered
    ? await (await import('./run-cluster.js')).startCluster(request, config, workers, logger)
    : await startSingle(request, config, logger, engine ?? loadEngine());
  announceWildcards(target.urls, logger);
  await handleSignals(target, {
    logger,
    reloadable: request.kind === 'file' || options.reloadable === true,
    pidFile: loaded.pidFile ?? undefined,
    // Past the shutdown timeout (and the 5 s the supervisor gives a worker after it): give up.
    stopDeadlineMs: target.shutdownMs + 10_000,
  });
  if (options.watchFolder !== undefined) {
    const { watchForReload } = await import('../process/file-watch.js');
    const stopWatching = watchForReload(options.watchFolder, logger, async () => {
      await target.reload();
      logger.info('Reloaded after the change');
    });
    process.once('exit', stopWatching);
  }
  options.onStarted?.(target.urls);
}

/** Validates in a worker thread (node:worker_threads and the thread's code loaded then). */
async function checkInThread(request: ConfigRequest): Promise<LoadedRequest> {
  return (await import('../process/config-thread.js')).checkInThread(request);
}

/**
 * The engine, loading while a thread validates (two cores: the wait to the first answer does
 * not grow). A failure surfaces where it is awaited, not as an unhandled rejection before.
 */
function loadEngine(): Promise<typeof import('../runtime/start.js')> {
  const engine = import('../runtime/start.js');
  engine.catch(() => undefined);
  return engine;
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

async function startSingle(
  request: ConfigRequest,
  config: Config,
  logger: Logger,
  engine: ReturnType<typeof loadEngine>,
): Promise<Target> {
  const { startValidated } = await engine;
  const server: RunningServer = await startValidated(config, { logger });
  // One check and apply at a time: two quick SIGHUPs never apply the older file last.
  let reloading: Promise<void> = Promise.resolve();
  const reload = async (): Promise<void> => {
    // Validated in a thread as at start: this process never loads the config stack.
    const next = await checkInThread(request);
    for (const note of next.notes) logger[note.level](note.message);
    await server.reloadValidated(next.config);
  };
  return {
    urls: server.addresses.map((a) => a.url),
    shutdownMs: stopBudgetMs(config),
    reload: () => {
      const done = reloading.then(reload);
      reloading = done.catch(() => undefined);
      return done;
    },
    reopenLogs: () => {
      server.reopenLogs();
    },
    stop: () => server.stop(),
  };
}
