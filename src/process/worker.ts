// A cluster worker: serves the config it was forked with, keeps server-wide state through the primary, stops when told.
import { type Logger, createLogger } from '../log/logger.js';
import { type RunningServer, startValidated } from '../runtime/start.js';
import { ProcessMetrics } from '../metrics/process-metrics.js';
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

/** The id of a retiring worker's last counts (scrapes count from 1). */
const FINAL_METRICS = 0;

export function runWorker(): void {
  let server: RunningServer | null = null;
  let logger: Logger | null = null;
  let stopping = false;
  const channel = new WorkerChannel(processPort, process.pid);
  // Counted here, read by the primary when /metrics is scraped: labelled with the worker's number.
  const metrics = new ProcessMetrics(process.env[WORKER_INDEX_ENV] ?? '?');
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
    const stoppedAccepting = (): void => {
      send({ type: 'porta:stopped-accepting' });
    };
    const done =
      server === null
        ? Promise.resolve()
        : server.stop({ handOver, onStopAccepting: stoppedAccepting });
    if (server === null) stoppedAccepting();
    void done.finally(() => {
      // The last counts go to the primary (id 0), so a reload or stop loses none of them.
      if (!process.connected || process.send === undefined) process.exit(0);
      process.send(
        { type: 'porta:metrics', id: FINAL_METRICS, series: metrics.snapshot() },
        undefined,
        {},
        () => process.exit(0),
      );
    });
  };
  const keys = new TicketKeys(workerTicketKey());
  // The worker's one dispatcher of messages from the primary.
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'porta:shutdown') stop(message.handOver);
    else if (message.type === 'porta:reopen-logs') reopenLogs();
    else if (message.type === 'porta:ticket-key') keys.set(Buffer.from(message.key, 'base64'));
    else if (message.type === 'porta:metrics-ask') {
      send({ type: 'porta:metrics', id: message.id, series: metrics.snapshot() });
    } else channel.receive(message);
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
      // The primary serves the admin listener for the whole server.
      server = await startValidated(config, {
        logger: workerLogger,
        shared,
        processes: workerCount(),
        admin: false,
        metrics,
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
