// One request/response exchange on an HTTP/2 stream: the Exchange handlers see, sent through node:http2.
import type { FileHandle } from 'node:fs/promises';
import { constants, type ServerHttp2Stream } from 'node:http2';
import type { CloseWatcher } from '../http/exchange.js';
import type { Readable } from 'node:stream';
import { clientAborted } from '../errors.js';
import { editHeaderList } from '../http/header-edit.js';
import { pumpStream } from '../http/stream-pump.js';
import type { PreparedResponse } from '../http/prepared-response.js';
import { BodyKind, type RequestHead, findHeader } from '../http/request-head.js';
import { emptyBody } from '../http/empty-body.js';
import { isBodyless } from '../http/status-text.js';
import { responseFields } from './response-fields.js';
import { StreamBody, type StreamBodySink } from './stream-body.js';

/** What an exchange needs from the connection that owns its stream. */
export interface StreamOwner {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The connection is TLS (h2), not h2c. */
  readonly secure: boolean;
  /** Largest request body the listener allows, 0 for no limit. */
  readonly maxBodySize: number;
  /** The response was sent whole or the stream closed: log it, free the slot. */
  onExchangeDone(exchange: StreamExchange): void;
}

const TOO_LARGE_FIELDS = ['Content-Type', 'text/plain; charset=utf-8'];
const TOO_LARGE_BODY = '413 Content Too Large\n';
const CONTINUE = { ':status': 100 };
/** Unread request body bytes dropped before the stream is reset instead. */
const DISCARD_LIMIT = 1024 * 1024;

export class StreamExchange implements StreamBodySink {
  readonly secure: boolean;
  readonly startedAt: number;
  readonly versionMajor = 2;
  readonly versionMinor = 0;
  path = '/';
  routePath = '/';
  status = 0;
  bytesSent = 0;
  durationMs = 0;
  /** The user basic_auth saw in the request ("" for none): nginx's $remote_user. */
  remoteUser = '';
  /** The last time body bytes arrived or the response made progress (stream timeouts). */
  lastActivity: number;
  readonly #owner: StreamOwner;
  readonly #stream: ServerHttp2Stream;
  #request: RequestHead;
  readonly #receivedHeaders: readonly string[];
  #body: StreamBody | null = null;
  #requestDone: boolean;
  #continueSent = false;
  #headSent = false;
  #ended = false;
  #closed = false;
  #done = false;
  #aborted = false;
  #suppressBody = false;
  #source: Readable | null = null;
  #file: FileHandle | null = null;
  #addHeaders: readonly string[] | null = null;
  #removeHeaders: readonly string[] | null = null;
  #bodyBytes = 0;
  #bodyLimit: number;
  /** Told once if the client goes away first (watchClose). */
  #closeWatcher: CloseWatcher | null = null;

  constructor(owner: StreamOwner, stream: ServerHttp2Stream, request: RequestHead, now: number) {
    this.#owner = owner;
    this.#stream = stream;
    this.#request = request;
    this.#receivedHeaders = request.headers;
    this.secure = owner.secure;
    this.startedAt = now;
    this.lastActivity = now;
    this.#requestDone = request.bodyKind === BodyKind.None;
    this.#bodyLimit = owner.maxBodySize === 0 ? Number.POSITIVE_INFINITY : owner.maxBodySize;
    // 'close' comes once per stream: `on` spares the wrapper `once` allocates per stream.
    stream.on('close', () => {
      this.#onClose();
    });
  }

  // ---- request side ----

  /** The connection's peer, read from the socket only when someone asks (logs, IP rules). */
  get remoteAddress(): string {
    return this.#owner.remoteAddress;
  }

  get remotePort(): number {
    return this.#owner.remotePort;
  }

  get request(): RequestHead {
    return this.#request;
  }

  get method(): string {
    return this.#request.method;
  }

  get target(): string {
    return this.#request.target;
  }

  /** Request header lookup by lower-case name, as the client sent it (for logs). */
  header(lowerName: string): string | undefined {
    return findHeader(this.#receivedHeaders, lowerName);
  }

  setRequestHeaders(list: readonly string[]): void {
    // The bytes received (HTTP/1.1's echo) no longer say what handlers behind see.
    this.#request = { ...this.#request, headers: list, received: null };
  }

  setRemoteUser(user: string): void {
    this.remoteUser = user;
  }

  /** Tells `watcher` when the client goes away (resets the stream) before the exchange is over. */
  watchClose(watcher: CloseWatcher | null): void {
    this.#closeWatcher = watcher;
  }

  get hasBody(): boolean {
    return this.#request.bodyKind !== BodyKind.None;
  }

  /** RFC 9110 §15.5.14: a declared length over the cap is refused at once (413). */
  limitRequestBody(maxBytes: number): boolean {
    this.#bodyLimit = Math.min(this.#bodyLimit, maxBytes);
    const over = this.#request.contentLength > this.#bodyLimit || this.#bodyBytes > this.#bodyLimit;
    if (over) {
      queueMicrotask(() => {
        this.#refuseBody();
      });
    }
    return !over;
  }

  /** Whether the declared length is already over the listener's cap (checked before dispatch). */
  get overBodyLimit(): boolean {
    return this.#request.contentLength > this.#bodyLimit;
  }

  body(): Readable {
    if (!this.hasBody || this.#requestDone) return this.#body ?? emptyBody();
    this.sendContinueIfAsked();
    this.#body ??= new StreamBody(this.#stream, this);
    return this.#body;
  }

  onBodyBytes(count: number): boolean {
    this.lastActivity = Date.now();
    this.#bodyBytes += count;
    if (this.#bodyBytes <= this.#bodyLimit) return true;
    this.#refuseBody();
    return false;
  }

  onBodyEnd(): void {
    this.#requestDone = true;
  }

  /** RFC 9110 §15.5.14: 413 (the stream is then reset, so the rest of the body is never read). */
  refuseBody(): void {
    this.#refuseBody();
  }

  #refuseBody(): void {
    const body = this.#body;
    if (body !== null && !body.destroyed) {
      body.destroy(body.listenerCount('error') > 0 ? clientAborted('body too large') : undefined);
    }
    if (this.#closed || this.#ended) return;
    if (this.#headSent) this.abort();
    else this.send(413, TOO_LARGE_FIELDS, TOO_LARGE_BODY);
  }

  /** RFC 9113 §8.1: an interim 100 is a HEADERS frame before the response. */
  sendContinueIfAsked(): void {
    if (!this.#request.expectContinue || this.#continueSent || this.#headSent) return;
    this.#continueSent = true;
    if (!this.#closed && !this.#stream.destroyed) this.#stream.additionalHeaders(CONTINUE);
  }

  // ---- response side ----

  get headSent(): boolean {
    return this.#headSent;
  }

  get closed(): boolean {
    return this.#closed || this.#stream.destroyed;
  }

  addResponseHeaders(list: readonly string[]): void {
    const added = this.#addHeaders;
    this.#addHeaders = added === null ? list : added.concat(list);
  }

  removeResponseHeaders(lowerNames: readonly string[]): void {
    const removed = this.#removeHeaders;
    this.#removeHeaders = removed === null ? lowerNames : removed.concat(lowerNames);
  }

  send(status: number, headers: readonly string[], body?: string | Buffer): void {
    const bytes = body === undefined ? null : typeof body === 'string' ? Buffer.from(body) : body;
    const length = bytes === null ? 0 : bytes.length;
    const empty = this.#respond(status, headers, length, true);
    if (!empty && bytes !== null && !this.#stream.destroyed) {
      this.bytesSent = length;
      this.#stream.end(bytes);
    }
    this.#finish();
  }

  /** HTTP/2 has no ready-bytes form: node:http2 encodes the head (HPACK) per stream anyway. */
  sendPrepared(response: PreparedResponse): void {
    this.send(response.status, response.headers, response.body);
  }

  writeHead(status: number, headers: readonly string[], length: number): void {
    this.#respond(status, headers, length, false);
  }

  write(chunk: Buffer | string): boolean {
    if (!this.#headSent) throw new Error('write() before writeHead()');
    if (this.#ended || this.#closed) return false;
    if (this.#suppressBody) return true;
    this.bytesSent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.lastActivity = Date.now();
    return this.#stream.write(chunk);
  }

  drained(): Promise<void> {
    const stream = this.#stream;
    if (this.#closed || !stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('close', done);
        this.lastActivity = Date.now();
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }

  end(chunk?: Buffer | string): void {
    if (this.#ended || this.#closed) return;
    if (!this.#headSent) throw new Error('end() before writeHead()');
    if (this.#suppressBody) {
      this.#finish();
      return;
    }
    if (chunk !== undefined) {
      this.bytesSent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      this.#stream.end(chunk);
    } else {
      this.#stream.end();
    }
    this.#finish();
  }

  sendStream(status: number, headers: readonly string[], stream: Readable, length: number): void {
    this.writeHead(status, headers, length);
    if (this.#suppressBody || this.#closed) {
      stream.destroy();
      this.end();
      return;
    }
    this.#source = stream;
    pumpStream(this, stream, () => {
      this.#source = null;
    });
  }

  /**
   * Sends `length` bytes of `file` from `start`: nghttp2 reads the file itself (respondWithFD) as
   * the flow-control window opens, so a slow client holds back the reads (backpressure), with no
   * JavaScript buffer per chunk. Takes ownership of `file`.
   */
  sendFile(
    status: number,
    headers: readonly string[],
    file: FileHandle,
    start: number,
    length: number,
  ): void {
    if (this.#closed || this.#request.method === 'HEAD' || length === 0 || isBodyless(status)) {
      void file.close().catch(() => undefined);
      this.writeHead(status, headers, length);
      this.end();
      return;
    }
    if (this.#stream.destroyed) {
      void file.close().catch(() => undefined);
      this.#headSent = true;
      this.#ended = true;
      return;
    }
    this.#file = file;
    const fields = this.#fields(status, headers, length);
    this.#headSent = true;
    this.status = status;
    this.#stream.respondWithFD(file, fields, { offset: start, length, waitForTrailers: false });
    this.bytesSent = length;
    this.#ended = true;
    // The access log waits for the stream to close: the file has been sent (or the client left).
  }

  abort(_reason?: Error): void {
    if (this.#closed) return;
    this.#aborted = true;
    this.#source?.destroy();
    this.#stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  /** RFC 9113 §8.6: HTTP/2 has no Upgrade; WebSocket over h2 (RFC 8441) is not offered. */
  upgrade(): never {
    throw new Error('upgrade() on an HTTP/2 stream: HTTP/2 has no Upgrade (RFC 9113 §8.6)');
  }

  /** A handler threw or rejected: 500 if nothing was sent yet, else reset the stream. */
  fail(): void {
    if (this.#closed || this.#ended) return;
    if (this.#headSent) {
      this.abort();
      return;
    }
    this.send(500, TOO_LARGE_FIELDS, '500 Internal Server Error\n');
  }

  /** The response waits for the client to read (flow-control window): for the send timeout. */
  get blocked(): boolean {
    return !this.#closed && (this.#ended || this.#stream.writableNeedDrain);
  }

  /** The client reset the stream before the response was whole (counted against rapid reset). */
  get cancelled(): boolean {
    // Our own resets (abort, an unread body) do not count; a client's CANCEL after a response
    // that was written whole does: the handler ran for it all the same.
    return this.#closed && !this.#aborted && this.#stream.rstCode !== constants.NGHTTP2_NO_ERROR;
  }

  /** Whether the response is whole (written to nghttp2). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sends the head; returns true when no body follows (the stream is ended here). */
  #respond(status: number, headers: readonly string[], length: number, whole: boolean): boolean {
    if (this.#headSent) throw new Error('response head already sent');
    this.#headSent = true;
    this.status = status;
    const bodyless = isBodyless(status);
    this.#suppressBody = this.#request.method === 'HEAD' || bodyless;
    if (this.#closed || this.#stream.destroyed) return true;
    const fields = this.#fields(status, headers, bodyless ? -1 : length);
    const endStream = this.#suppressBody || (whole && length === 0);
    this.#stream.respond(fields, { endStream });
    return endStream;
  }

  #fields(
    status: number,
    headers: readonly string[],
    length: number,
  ): ReturnType<typeof responseFields> {
    const list =
      this.#addHeaders === null && this.#removeHeaders === null
        ? headers
        : editHeaderList(headers, this.#removeHeaders, this.#addHeaders);
    return responseFields(status, list, length);
  }

  #finish(): void {
    this.#ended = true;
    this.durationMs = Date.now() - this.startedAt;
    if (!this.#requestDone && !this.#closed) this.#discardBody();
  }

  /**
   * A body the handler did not read: read and drop it, so the stream ends normally. A reset
   * now (RFC 9113 §8.1 allows RST_STREAM NO_ERROR) could overtake our response's DATA in
   * nghttp2's queue (control frames go first) and cut it; past DISCARD_LIMIT we reset anyway.
   */
  #discardBody(): void {
    const stream = this.#stream;
    let discarded = 0;
    stream.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DISCARD_LIMIT && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
    });
    stream.resume();
  }

  #onClose(): void {
    this.#closed = true;
    this.#source?.destroy();
    this.#source = null;
    const file = this.#file;
    if (file !== null) {
      this.#file = null;
      void file.close().catch(() => undefined);
    }
    const body = this.#body;
    if (body !== null && !body.destroyed && !this.#requestDone) {
      body.destroy(body.listenerCount('error') > 0 ? clientAborted('stream reset') : undefined);
    }
    if (this.durationMs === 0) this.durationMs = Date.now() - this.startedAt;
    if (!this.#done) {
      this.#done = true;
      this.#owner.onExchangeDone(this);
    }
    const watcher = this.#closeWatcher;
    this.#closeWatcher = null;
    if (!this.#ended) watcher?.onClientClose();
  }
}
