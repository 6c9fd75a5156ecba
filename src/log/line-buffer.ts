// Collects log lines and writes them in batches: one write in flight, never blocking the event loop, within a memory cap.
import { openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { PortaError } from '../errors.js';
import { FdWritable } from './fd-writable.js';

/** Where a buffer writes: a stream, and the fd behind it so pending lines can still be written at process exit. */
export interface LogDestination {
  readonly stream: Writable;
  /** The file descriptor the stream writes to, or -1 when there is none (tests, custom streams). */
  readonly fd: number;
  /** The file path, when the destination is a file porta opened (and can open again). */
  readonly path?: string;
}

export interface LineBufferOptions {
  /** Names the log in warnings ("access log"). */
  readonly name: string;
  /** Told once when lines start being dropped, and once if the destination fails. */
  readonly warn: (message: string) => void;
  /** A batch is written as soon as this many bytes wait (default 64 KiB). */
  readonly batchBytes?: number;
  /** Lines past this many bytes waiting or in flight are dropped and counted (default 8 MiB). */
  readonly capBytes?: number;
  /** Smaller batches wait at most this long (default 100 ms, on an unref'd timer). */
  readonly delayMs?: number;
}

/** Resolves a flush() once every byte accepted before it has been written. */
interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
}

/** Buffers not closed yet (close() removes them): at process exit they get one last synchronous write. */
const openBuffers = new Set<LineBuffer>();
let exitHookInstalled = false;

function writeAllPendingAtExit(): void {
  for (const buffer of openBuffers) buffer.writePendingSync();
}

/**
 * Opens a log destination: "stdout", "stderr" or a file path opened for appending.
 * The file is opened synchronously (once, at start or reload) so a bad path fails loudly there;
 * the writes themselves go through fs.write on libuv's thread pool, so a slow disk or a full
 * pipe never stalls the event loop (process.stdout is synchronous for files and pipes on Linux).
 */
export function openLogDestination(path: string, what: string): LogDestination {
  if (path === 'stdout' || path === 'stderr') {
    const fd = path === 'stdout' ? 1 : 2;
    return { stream: new FdWritable(fd, false), fd };
  }
  const fd = openForAppend(path, what);
  return { stream: new FdWritable(fd, true), fd, path };
}

function openForAppend(path: string, what: string): number {
  try {
    return openSync(path, 'a');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PortaError('PORTA_CONFIG_INVALID', `cannot open ${what} "${path}": ${reason}`, {
      cause: error,
    });
  }
}

/**
 * Lines are encoded straight into 64 KiB chunks as they arrive (one pass, no array of strings
 * to join later, little for the GC); a batch is the filled chunks, handed over in one write.
 */
export class LineBuffer {
  readonly #stream: Writable;
  #fd: number;
  readonly #path: string | undefined;
  readonly #name: string;
  readonly #warn: (message: string) => void;
  readonly #batchBytes: number;
  readonly #capBytes: number;
  readonly #delayMs: number;
  /** The chunk being filled, and how much of it is used. */
  #chunk: Buffer;
  #used = 0;
  /** Filled chunks waiting for the write in flight to finish. */
  readonly #filled: Buffer[] = [];
  #pendingBytes = 0;
  #pendingLines = 0;
  #inFlightBytes = 0;
  #inFlightLines = 0;
  #writing = false;
  /** Bytes accepted and bytes written since creation: flush() waits for the second to reach the first. */
  #acceptedTotal = 0;
  #writtenTotal = 0;
  #waiters: FlushWaiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #dropped = 0;
  #warnedDrop = false;
  #failed = false;
  #closed: Promise<void> | undefined;

  constructor(destination: LogDestination, options: LineBufferOptions) {
    this.#stream = destination.stream;
    this.#fd = destination.fd;
    this.#path = destination.path;
    this.#name = options.name;
    this.#warn = options.warn;
    this.#batchBytes = options.batchBytes ?? 64 * 1024;
    this.#capBytes = options.capBytes ?? 8 * 1024 * 1024;
    this.#delayMs = options.delayMs ?? 100;
    this.#chunk = Buffer.allocUnsafe(this.#batchBytes);
    // Without a listener a failed write (EPIPE, ENOSPC) would crash the process.
    this.#stream.on('error', this.#onError);
    openBuffers.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', writeAllPendingAtExit);
    }
  }

  /** Lines dropped because the destination was too slow or failed. */
  get droppedLines(): number {
    return this.#dropped;
  }

  /** False when the next line would be dropped, so callers can skip formatting it. */
  get accepting(): boolean {
    return (
      this.#closed === undefined &&
      !this.#failed &&
      this.#pendingBytes + this.#inFlightBytes < this.#capBytes
    );
  }

  /** Queues one line (with its newline); drops and counts it past the cap. */
  append(line: string): void {
    if (this.#closed !== undefined) {
      this.#dropped++;
      return;
    }
    // line.length is a lower bound of its UTF-8 size: good enough for a cap.
    if (this.#failed || this.#pendingBytes + this.#inFlightBytes + line.length > this.#capBytes) {
      this.drop();
      return;
    }
    // Room for the worst case: three UTF-8 bytes per UTF-16 unit.
    if (line.length * 3 > this.#chunk.length - this.#used) this.#startChunk(line.length * 3);
    const size = this.#chunk.write(line, this.#used);
    this.#used += size;
    this.#pendingBytes += size;
    this.#pendingLines++;
    this.#acceptedTotal += size;
    // While a write is in flight its callback picks up what gathered meanwhile.
    if (this.#writing) return;
    if (this.#pendingBytes >= this.#batchBytes) this.#writeBatch();
    else this.#timer ??= setTimeout(this.#onTimer, this.#delayMs).unref();
  }

  /** Resolves when every line appended so far has been written (or dropped after a failure). */
  flush(): Promise<void> {
    if (this.#writtenTotal >= this.#acceptedTotal || this.#failed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ target: this.#acceptedTotal, resolve });
      this.#writeBatch();
    });
  }

  /** Flushes, then ends the stream (closing a file; stdout and stderr stay open). */
  close(): Promise<void> {
    this.#closed ??= this.#finish();
    return this.#closed;
  }

  /**
   * Opens the file again by its path (logrotate renamed it; SIGUSR1): lines from the next batch
   * on go to the new file, the batch being written finishes in the old one. A file that cannot
   * be opened is warned about and the old one kept. Does nothing for stdout, stderr and streams.
   */
  reopen(): void {
    const stream = this.#stream;
    if (this.#path === undefined || !(stream instanceof FdWritable) || this.#closed !== undefined) {
      return;
    }
    let fd: number;
    try {
      fd = openForAppend(this.#path, 'log file');
    } catch (error) {
      this.#warn(
        `${error instanceof Error ? error.message : String(error)}; still writing to the old file`,
      );
      return;
    }
    stream.replaceFd(fd);
    this.#fd = fd;
    // A new file may cure what failed the old one (a full or removed disk).
    this.#failed = false;
  }

  /** Counts a line that was not even formatted because `accepting` was false; warns the first time. */
  drop(): void {
    this.#dropped++;
    if (this.#warnedDrop || this.#failed || this.#closed !== undefined) return;
    this.#warnedDrop = true;
    this.#warn(
      `${this.#name}: the destination is too slow; dropping lines past ${this.#capBytes} pending bytes`,
    );
  }

  /** Last resort at process exit: writes what never got handed to the stream, synchronously. */
  writePendingSync(): void {
    if (this.#fd < 0 || this.#pendingBytes === 0 || this.#failed) return;
    try {
      for (const chunk of this.#takePending()) {
        // A non-blocking pipe may take part of a chunk; a full one throws EAGAIN and we give up.
        let offset = 0;
        while (offset < chunk.length) offset += writeSync(this.#fd, chunk, offset);
      }
    } catch {
      // The process is exiting; there is nobody left to tell.
    }
  }

  async #finish(): Promise<void> {
    await this.flush();
    openBuffers.delete(this);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#dropped > 0) {
      this.#warn(`${this.#name}: ${this.#dropped} lines were dropped in all`);
    }
    if (this.#stream.destroyed) return;
    await new Promise<void>((resolve) => {
      this.#stream.end(() => {
        resolve();
      });
    });
  }

  /** Sets the used part of the current chunk aside and starts a new chunk with room for `need` bytes. */
  #startChunk(need: number): void {
    if (this.#used === 0 && this.#chunk.length >= need) return;
    if (this.#used > 0) this.#filled.push(this.#chunk.subarray(0, this.#used));
    // A fresh chunk each time: the stream may still hold the old one (a Writable can keep chunks).
    this.#chunk = Buffer.allocUnsafe(Math.max(this.#batchBytes, need));
    this.#used = 0;
  }

  /** Takes every pending byte out of the buffer, as the chunks that hold them. */
  #takePending(): Buffer[] {
    this.#startChunk(0);
    const chunks = this.#filled.splice(0);
    this.#pendingBytes = 0;
    this.#pendingLines = 0;
    return chunks;
  }

  #writeBatch(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#writing || this.#pendingBytes === 0 || this.#failed) return;
    this.#inFlightBytes = this.#pendingBytes;
    this.#inFlightLines = this.#pendingLines;
    const chunks = this.#takePending();
    const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.#writing = true;
    this.#stream.write(data, this.#onWritten);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#writeBatch();
  };

  readonly #onWritten = (error?: Error | null): void => {
    this.#writing = false;
    if (error) {
      this.#onError(error);
      return;
    }
    this.#writtenTotal += this.#inFlightBytes;
    this.#inFlightBytes = 0;
    this.#inFlightLines = 0;
    this.#resolveWaiters();
    if (this.#pendingBytes === 0) return;
    // Lines waited for this write already: send them now if someone waits or a batch is full.
    if (this.#waiters.length > 0 || this.#pendingBytes >= this.#batchBytes) this.#writeBatch();
    else this.#timer ??= setTimeout(this.#onTimer, this.#delayMs).unref();
  };

  readonly #onError = (error: Error): void => {
    if (this.#failed) return;
    this.#failed = true;
    // The batch in flight is lost too (a partial write cannot be told apart here).
    this.#dropped += this.#pendingLines + this.#inFlightLines;
    this.#takePending();
    this.#inFlightBytes = 0;
    this.#inFlightLines = 0;
    this.#warn(`${this.#name}: cannot write (${error.message}); dropping lines from now on`);
    this.#writtenTotal = this.#acceptedTotal;
    this.#resolveWaiters();
  };

  #resolveWaiters(): void {
    let settled = 0;
    while (settled < this.#waiters.length) {
      const waiter = this.#waiters[settled] as FlushWaiter;
      if (waiter.target > this.#writtenTotal) break;
      waiter.resolve();
      settled++;
    }
    if (settled > 0) this.#waiters = this.#waiters.slice(settled);
  }
}
