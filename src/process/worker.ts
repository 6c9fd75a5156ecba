// A cluster worker: serves the config it was forked with, keeps server-wide state through the primary, stops when told.
import { type Logger, createLogger } from '../log/logger.js';
import { type RunningServer, startValidated } from '../runtime/start.js';
import { TicketKeys } from '../net/ticket-keys.js';
import {
  WORKER_INDEX_ENV,
  type WorkerMessage,
  failureOf,
  isPrimaryMessage,
  workerConfig,
  workerCount,
  workerTicketKey,
} from './messages.js';
import { createRemoteSharedState } from '../shared/shared-state.js';
import { type ChannelPort, WorkerChannel } from './worker-channel.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** This process's IPC pipe to the primary. */
const processPort: ChannelPort = {
  get connected(): boolean {
    return process.connected;
  },
  send(message, callback) {
    if (process.send === undefined) {
      callback(new Error('not a cluster worker'));
      return;
    }
    process.send(message, undefined, {}, callback);
  },
};

export function runWorker(): void {
  let server: RunningServer | null = null;
  let logger: Logger | null = null;
  let stopping = false;
  const channel = new WorkerChannel(processPort, process.pid);
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
  const keys = new TicketKeys(workerTicketKey());
  // The worker's one dispatcher of messages from the primary.
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'porta:shutdown') stop(message.handOver);
    else if (message.type === 'porta:reopen-logs') reopenLogs();
    else if (message.type === 'porta:ticket-key') keys.set(Buffer.from(message.key, 'base64'));
    else channel.receive(message);
  });
  void (async () => {
    try {
      // Validated by the primary's check already: a worker never loads the schema library.
      const config = workerConfig();
      const workerLogger = createLogger({
        level: config.log.level,
        path: config.log.error_path,
        format: config.log.format,
      });
      logger = workerLogger;
      const shared = createRemoteSharedState(channel, {
        warn: (message) => {
          workerLogger.warning(message);
        },
      });
      server = await startValidated(config, {
        logger: workerLogger,
        shared,
        processes: workerCount(),
        ticketKeys: keys,
      });
      send({ type: 'porta:ready', urls: server.addresses.map((a) => a.url) });
    } catch (error) {
      send(failureOf(error));
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
    channel.close();
    stop(false);
  });
}
