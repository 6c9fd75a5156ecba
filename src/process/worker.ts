// A cluster worker: waits for its config from the primary, serves it, stops gracefully when told.
import { isPortaError } from '../errors.js';
import { type Logger, createLogger } from '../log/logger.js';
import { validateConfig } from '../config/validate.js';
import { type RunningServer, start } from '../runtime/start.js';
import {
  WORKER_INDEX_ENV,
  type WorkerMessage,
  isPrimaryMessage,
  workerConfig,
} from './messages.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

export function runWorker(): void {
  let server: RunningServer | null = null;
  let logger: Logger | null = null;
  let stopping = false;
  const reopenLogs = (): void => {
    logger?.reopen?.();
    server?.reopenLogs();
    // In the new file, so an operator (or a test) sees each worker has moved over.
    logger?.info(`Worker ${process.env[WORKER_INDEX_ENV] ?? '?'} reopened the log files`);
  };
  const stop = (handOver: boolean): void => {
    if (stopping) return;
    stopping = true;
    // Told by the primary: a new generation serves already (reload) or everything stops.
    const done = server === null ? Promise.resolve() : server.stop({ handOver });
    void done.finally(() => process.exit(0));
  };
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'porta:reopen-logs') reopenLogs();
    else stop(message.handOver);
  });
  void (async () => {
    try {
      const config = validateConfig(workerConfig());
      logger = createLogger({
        level: config.log.level,
        path: config.log.error_path,
        format: config.log.format,
      });
      server = await start(config, { logger });
      send({ type: 'porta:ready', urls: server.addresses.map((a) => a.url) });
    } catch (error) {
      send({
        type: 'porta:failed',
        message: isPortaError(error) ? error.message : String(error),
      });
      process.exit(1);
    }
  })();
  // The primary coordinates shutdown; a terminal's Ctrl-C reaches the whole process group.
  process.on('SIGINT', () => undefined);
  // SIGUSR1 sent to the whole group (or to a worker): reopen too, and never start Node's inspector.
  process.on('SIGUSR1', reopenLogs);
  process.on('SIGTERM', () => {
    stop(false);
  });
  process.on('disconnect', () => {
    stop(false);
  });
}
