// Runs a server from a Config until SIGINT/SIGTERM, then stops it gracefully; shared by every command.
import { stringify } from 'yaml';
import type { ConfigInput } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { createLogger } from '../log/logger.js';
import { type RunningServer, start } from '../runtime/start.js';
import { PACKAGE_VERSION } from './version.js';

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

/** Starts, logs where it listens, and stops gracefully on the first SIGINT/SIGTERM (a second forces exit). */
export async function runServer(
  config: ConfigInput,
  onStarted?: (server: RunningServer) => void,
): Promise<void> {
  const valid = validateConfig(config);
  const logger = createLogger({ level: valid.log.level, path: valid.log.error_path });
  logger.info(`Starting porta ${PACKAGE_VERSION} (node ${process.version}, pid ${process.pid})`);
  const server = await start(valid, { logger });
  onStarted?.(server);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      server.logger.warning(`Got ${signal} again: exiting now`);
      process.exit(1);
    }
    signalled = true;
    server.logger.info(`Got ${signal}: shutting down gracefully`);
    void server.stop().then(
      () => {
        process.exit(0);
      },
      (error: unknown) => {
        server.logger.error(`Shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
