// Sends a byte range of an open file to a socket: read into one recycled slot, write it, repeat.
//
// The next read starts as soon as the kernel has taken the whole buffer: at once when the write
// completed inside socket.write (writableLength is 0 again), else when every write callback has
// fired. There is no stream, no promise per chunk and no garbage per chunk.
import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { type FileSlot, giveFileSlot, takeFileSlot } from './file-buffers.js';

/** The exchange a file is sent for. */
export interface FileSink {
  readonly socket: Socket;
  /** True once the client went away. */
  readonly closed: boolean;
  /** Bytes were handed to the socket. */
  onFileBytes(count: number): void;
  /** The socket holds unsent bytes: the send timeout runs. */
  onFileBlocked(): void;
  /** The socket took everything: the send timeout stops. */
  onFileProgress(): void;
  /** The last byte was written (it may still be queued in the socket). */
  onFileSent(): void;
  /** Reading failed, or the file ended before `length` bytes. */
  onFileFailed(error: Error): void;
}

export class FileSender {
  readonly #sink: FileSink;
  readonly #file: FileHandle;
  readonly #slot: FileSlot;
  /** Where the current read went in the slot's buffer. */
  #offset = 0;
  #position: number;
  #remaining: number;
  /** Writes whose callback has not fired yet. */
  #pending = 0;
  /** Waiting for #pending to reach 0 before the next read. */
  #waiting = false;
  /** No more reads: the file is closed (or closing) and the buffer goes back once #pending is 0. */
  #done = false;
  readonly #onRead = (error: NodeJS.ErrnoException | null, bytesRead: number): void => {
    this.#afterRead(error, bytesRead);
  };
  readonly #onWritten = (): void => {
    this.#afterWrite();
  };

  constructor(sink: FileSink, file: FileHandle, start: number, length: number) {
    this.#sink = sink;
    this.#file = file;
    this.#position = start;
    this.#remaining = length;
    this.#slot = takeFileSlot(length);
  }

  start(): void {
    this.#read();
  }

  #read(): void {
    if (this.#sink.closed) {
      this.#finish();
      return;
    }
    const slot = this.#slot;
    // Same offset within a page as the file position: the kernel's fast copy (file-buffers.ts).
    this.#offset = slot.big ? slot.base + (this.#position & 4095) : slot.base;
    const want = Math.min(slot.size, this.#remaining);
    read(this.#file.fd, slot.buffer, this.#offset, want, this.#position, this.#onRead);
  }

  #afterRead(error: NodeJS.ErrnoException | null, bytesRead: number): void {
    const sink = this.#sink;
    if (sink.closed) {
      this.#finish();
      return;
    }
    if (error !== null || bytesRead === 0) {
      this.#finish();
      // A file that shrank after its stat cannot keep the Content-Length promise.
      sink.onFileFailed(error ?? new Error(`file ended ${this.#remaining} bytes early`));
      return;
    }
    this.#position += bytesRead;
    this.#remaining -= bytesRead;
    sink.onFileBytes(bytesRead);
    const socket = sink.socket;
    this.#pending++;
    socket.write(
      this.#slot.buffer.subarray(this.#offset, this.#offset + bytesRead),
      this.#onWritten,
    );
    if (this.#remaining === 0) {
      this.#finish();
      sink.onFileSent();
    } else if (socket.writableLength === 0) {
      // The kernel copied it all: the buffer is free already.
      this.#read();
    } else {
      this.#waiting = true;
      sink.onFileBlocked();
    }
  }

  #afterWrite(): void {
    if (--this.#pending > 0) return;
    if (this.#done) {
      giveFileSlot(this.#slot);
    } else if (this.#waiting) {
      this.#waiting = false;
      this.#sink.onFileProgress();
      this.#read();
    }
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    void this.#file.close().catch(() => undefined);
    if (this.#pending === 0) giveFileSlot(this.#slot);
  }
}
