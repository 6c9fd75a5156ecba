// The error log: Python's classic `%(asctime)s %(levelname)s %(message)s` line (or one JSON object), filtered by level.
import { LineBuffer, openLogDestination } from './line-buffer.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

/** `text`: Python's logging line; `json`: one object per line for log shippers. */
export type LogFormat = 'text' | 'json';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** true when debug lines are written, so callers can skip building a message */
  readonly debugEnabled: boolean;
  setLevel(level: LogLevel): void;
  /**
   * Opens a log file again by its path (after logrotate renamed it); stderr/stdout: nothing to
   * do. Optional: loggers that write no file (tests, embedders) need not have it.
   */
  reopen?(): void;
  /** flush buffered lines (resolve when written) */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface LoggerOptions {
  /** Lowest level written. */
  readonly level: LogLevel;
  /** "stderr" (default), "stdout", or a file path (appended to). */
  readonly path?: string;
  /** Line format (default text). */
  readonly format?: LogFormat;
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
  reopen(): void;
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

  reopen(): void {
    // stderr and stdout belong to whoever started porta: nothing to reopen.
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

/** Builds one error log line (newline included). */
type LineFormat = (levelName: string, message: string) => string;

function textLine(levelName: string, message: string): string {
  return `${formatLogTime(Date.now())} ${levelName} ${message}\n`;
}

/**
 * `{"time":"2026-11-24T18:44:42.123Z","level":"info","pid":4242,"message":"..."}`: UTC ISO time,
 * the level as the config names it, the process (workers have their own), the message.
 */
function jsonLine(levelName: string, message: string): string {
  return `{"time":"${new Date().toISOString()}","level":"${levelName.toLowerCase()}","pid":${process.pid},"message":${JSON.stringify(message)}}\n`;
}

class LineLogger implements Logger {
  readonly #sink: LineSink;
  readonly #line: LineFormat;
  #threshold: number;

  constructor(sink: LineSink, level: LogLevel, line: LineFormat) {
    this.#sink = sink;
    this.#threshold = LEVEL_RANK[level];
    this.#line = line;
  }

  reopen(): void {
    this.#sink.reopen();
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
    this.#sink.append(this.#line(levelName, message));
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
  return new LineLogger(sink, options.level, options.format === 'json' ? jsonLine : textLine);
}
