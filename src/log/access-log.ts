// The access log: one line per finished exchange, format chosen once, written in batches off the hot path.
import type { Writable } from 'node:stream';
import { CombinedFormat, JsonFormat } from './access-format.js';
import type { AccessFormat, AccessRecord } from './access-format.js';
import { compileAccessTemplate, isAccessTemplate } from './access-template.js';
import { LineBuffer, openLogDestination } from './line-buffer.js';
import type { LogDestination } from './line-buffer.js';
import { formatLogTime } from './logger.js';
import type { Logger } from './logger.js';

export type { AccessRecord } from './access-format.js';
export { escapeLogValue } from './access-format.js';

export interface AccessLog {
  log(record: AccessRecord): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Opens the log file again by its path (logrotate's SIGUSR1); nothing for stdout. */
  reopen(): void;
  /** Lines dropped because the destination was too slow or failed. */
  readonly droppedLines: number;
}

export interface AccessLogOptions {
  /**
   * nginx combined, one JSON object per line, off (a no-op log), or a format of $variables
   * (access-template.ts), compiled here once.
   */
  readonly format: string;
  /** "stdout" or a file path (appended to). */
  readonly path: string;
  /** Told when lines are dropped or the destination fails; a WARNING line on stderr when absent. */
  readonly logger?: Pick<Logger, 'warning'>;
  /** Writes here instead of `path` (tests, embedding); the log ends it on close. */
  readonly stream?: Writable;
}

class BufferedAccessLog implements AccessLog {
  readonly #format: AccessFormat;
  readonly #buffer: LineBuffer;

  constructor(format: AccessFormat, buffer: LineBuffer) {
    this.#format = format;
    this.#buffer = buffer;
  }

  get droppedLines(): number {
    return this.#buffer.droppedLines;
  }

  log(record: AccessRecord): void {
    // When the destination is behind, skip the formatting too: the line would be dropped anyway.
    if (this.#buffer.accepting) this.#buffer.append(this.#format.format(record));
    else this.#buffer.drop();
  }

  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  reopen(): void {
    this.#buffer.reopen();
  }

  close(): Promise<void> {
    return this.#buffer.close();
  }
}

class OffAccessLog implements AccessLog {
  readonly droppedLines = 0;

  log(_record: AccessRecord): void {
    // access log off: nothing to write.
  }

  reopen(): void {
    // no file
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function warnOnStderr(message: string): void {
  process.stderr.write(`${formatLogTime(Date.now())} WARNING ${message}\n`);
}

/** Creates the access log; a file is opened for appending now (a bad path throws PortaError). */
export function createAccessLog(options: AccessLogOptions): AccessLog {
  if (options.format === 'off') return new OffAccessLog();
  const format =
    options.format === 'json'
      ? new JsonFormat()
      : isAccessTemplate(options.format)
        ? compileAccessTemplate(options.format)
        : new CombinedFormat();
  const destination: LogDestination =
    options.stream === undefined
      ? openLogDestination(options.path, 'access log')
      : { stream: options.stream, fd: -1 };
  const logger = options.logger;
  const buffer = new LineBuffer(destination, {
    name: `access log ${options.path}`,
    warn:
      logger === undefined
        ? warnOnStderr
        : (message) => {
            logger.warning(message);
          },
  });
  return new BufferedAccessLog(format, buffer);
}
