// A Logger for tests that keeps error lines, to check that client faults are not logged as server failures.
import type { Logger } from '../../src/log/logger.js';

export function createRecordingLogger(): { logger: Logger; errorLines: string[] } {
  const errorLines: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warning: () => undefined,
    error: (message) => errorLines.push(message),
    debugEnabled: false,
    setLevel: () => undefined,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { logger, errorLines };
}
