// A Writable over a file descriptor that copes with non-blocking pipes: partial writes go on, EAGAIN waits and retries.
import { close, write } from 'node:fs';
import { Writable } from 'node:stream';

/**
 * How long to wait before retrying when a non-blocking pipe is full. fs.WriteStream gives up
 * with an error instead, and stdout is often such a pipe (the parent, or libuv in this process,
 * may have set O_NONBLOCK on it); polling is fine for a log that already writes in batches.
 */
const RETRY_AFTER_FULL_MS = 10;

export class FdWritable extends Writable {
  #fd: number;
  readonly #ownsFd: boolean;
  /** A descriptor replaced by reopen() while a write on it was in flight: closed when it ends. */
  #retired = -1;
  #writing = false;

  /** `ownsFd`: close the descriptor when the stream ends (a log file), or leave it open (stdout). */
  constructor(fd: number, ownsFd: boolean) {
    super({ decodeStrings: true });
    this.#fd = fd;
    this.#ownsFd = ownsFd;
  }

  /** The descriptor writes go to now. */
  get fd(): number {
    return this.#fd;
  }

  /**
   * Writes go to `fd` from the next chunk on (logrotate's SIGUSR1: the old file was renamed);
   * a chunk being written finishes on the old descriptor, which is closed after it.
   */
  replaceFd(fd: number): void {
    const old = this.#fd;
    this.#fd = fd;
    if (!this.#ownsFd) return;
    if (this.#writing) this.#retired = old;
    else close(old, ignoreCloseError);
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#writing = true;
    this.#writeFrom(this.#fd, chunk, 0, (error?: Error | null) => {
      this.#writing = false;
      if (this.#retired >= 0) {
        close(this.#retired, ignoreCloseError);
        this.#retired = -1;
      }
      callback(error);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#ownsFd) {
      callback(error);
      return;
    }
    close(this.#fd, () => {
      callback(error);
    });
  }

  #writeFrom(
    fd: number,
    chunk: Buffer,
    offset: number,
    callback: (error?: Error | null) => void,
  ): void {
    // One closure per batch (not per line): batches come at most every few milliseconds.
    write(fd, chunk, offset, chunk.length - offset, null, (error, written) => {
      if (error !== null) {
        if (error.code !== 'EAGAIN') {
          callback(error);
          return;
        }
        // Kept ref'd so that `await close()` at shutdown waits for a slow reader (as fs.write would).
        setTimeout(() => {
          this.#writeFrom(fd, chunk, offset, callback);
        }, RETRY_AFTER_FULL_MS);
        return;
      }
      const next = offset + written;
      if (next < chunk.length) this.#writeFrom(fd, chunk, next, callback);
      else callback();
    });
  }
}

function ignoreCloseError(): void {
  // Closing a log file we no longer write to: nothing useful to do about a failure.
}
