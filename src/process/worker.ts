// A cluster worker: waits for its config from the primary, serves it, stops gracefully when told.
import { isPortaError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { validateConfig } from '../config/validate.js';
import { type RunningServer, start } from '../runtime/start.js';
import { TicketKeys } from '../net/ticket-keys.js';
import { type WorkerMessage, isPrimaryMessage, workerConfig, workerTicketKey } from './messages.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

export function runWorker(): void {
  let server: RunningServer | null = null;
  let stopping = false;
  const stop = (handOver: boolean): void => {
    if (stopping) return;
    stopping = true;
    // Told by the primary: a new generation serves already (reload) or everything stops.
    const done = server === null ? Promise.resolve() : server.stop({ handOver });
    void done.finally(() => process.exit(0));
  };
  const keys = new TicketKeys(workerTicketKey());
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'porta:ticket-key') keys.set(Buffer.from(message.key, 'base64'));
    else stop(message.handOver);
  });
  void (async () => {
    try {
      const config = validateConfig(workerConfig());
      const logger = createLogger({ level: config.log.level, path: config.log.error_path });
      server = await start(config, { logger, ticketKeys: keys });
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
  process.on('SIGTERM', () => {
    stop(false);
  });
  process.on('disconnect', () => {
    stop(false);
  });
}
