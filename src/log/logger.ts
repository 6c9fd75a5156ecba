// The error log: Python's classic `%(asctime)s %(levelname)s %(message)s` line, filtered by level.
import { LineBuffer, openLogDestination } from './line-buffer.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** true when debug lines are written, so callers can skip building a message */
  readonly debugEnabled: boolean;
  setLevel(level: LogLevel): void;
  /** flush buffered lines (resolve when written) */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface LoggerOptions {
  /** Lowest level written. */
  readonly level: LogLevel;
  /** "stderr" (default), "stdout", or a file path (appended to). */
  readonly path?: string;
}

/** Python's numeric levels: a line is written when its rank reaches the threshold. */
const LEVEL_RANK: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
};

let cachedSecond = Number.NaN;
let cachedPrefix = '';

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * Local time as Python's logging writes asctime: `2026-11-24 18:44:42,123`.
 * The text up to the comma is rebuilt once per second; only the milliseconds change in between.
 */
export function formatLogTime(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    const date = new Date(second * 1000);
    cachedSecond = second;
    cachedPrefix =
      `${date.getFullYear()}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())} ` +
      `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())},`;
  }
  const ms = whole - second * 1000;
  return cachedPrefix + (ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : String(ms));
}

/** Where formatted lines go: synchronous stdio, or a batched file. */
interface LineSink {
  append(line: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * stderr/stdout written synchronously (what process.stderr does for files and pipes on Linux):
 * error lines are rare and must not be lost when the process dies right after writing them.
 */
class StdioSink implements LineSink {
  readonly #stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  append(line: string): void {
    this.#stream.write(line);
  }

  flush(): Promise<void> {
    if (!this.#stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      this.#stream.once('drain', resolve);
    });
  }

  close(): Promise<void> {
    return this.flush();
  }
}

class LineLogger implements Logger {
  readonly #sink: LineSink;
  #threshold: number;

  constructor(sink: LineSink, level: LogLevel) {
    this.#sink = sink;
    this.#threshold = LEVEL_RANK[level];
  }

  get debugEnabled(): boolean {
    return this.#threshold <= LEVEL_RANK.debug;
  }

  setLevel(level: LogLevel): void {
    this.#threshold = LEVEL_RANK[level];
  }

  debug(message: string): void {
    if (this.#threshold <= LEVEL_RANK.debug) this.#write('DEBUG', message);
  }

  info(message: string): void {
    if (this.#threshold <= LEVEL_RANK.info) this.#write('INFO', message);
  }

  warning(message: string): void {
    if (this.#threshold <= LEVEL_RANK.warning) this.#write('WARNING', message);
  }

  error(message: string): void {
    this.#write('ERROR', message);
  }

  flush(): Promise<void> {
    return this.#sink.flush();
  }

  close(): Promise<void> {
    return this.#sink.close();
  }

  // Messages go out verbatim, as Python's do (stack traces stay multi-line); callers that put
  // client-sent text in a message escape it first with escapeLogValue (access-format.ts).
  #write(levelName: string, message: string): void {
    this.#sink.append(`${formatLogTime(Date.now())} ${levelName} ${message}\n`);
  }
}

/** Trouble with the error log file itself can only be told on stderr. */
function warnOnStderr(message: string): void {
  process.stderr.write(`${formatLogTime(Date.now())} WARNING ${message}\n`);
}

/** Creates the error log; a file path is opened for appending now and written in batches. */
export function createLogger(options: LoggerOptions): Logger {
  const path = options.path ?? 'stderr';
  let sink: LineSink;
  if (path === 'stderr') sink = new StdioSink(process.stderr);
  else if (path === 'stdout') sink = new StdioSink(process.stdout);
  else {
    sink = new LineBuffer(openLogDestination(path, 'error log'), {
      name: `error log ${path}`,
      warn: warnOnStderr,
    });
  }
  return new LineLogger(sink, options.level);
}
