// One request/response exchange on an HTTP/1.1 connection: the Exchange handlers see, written to the socket.
import type { Socket } from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { clientAborted } from '../errors.js';
import { CONTINUE_100, cannedResponse } from './canned-responses.js';
import { FileSender, type FileSink } from './file-sender.js';
import { emptyBody } from '../http/empty-body.js';
import { RequestBody } from './request-body.js';
import { BodyKind, type RequestHead, findHeader } from '../http/request-head.js';
import { editHeaderList } from '../http/header-edit.js';
import type { CloseWatcher } from '../http/exchange.js';
import { pumpStream } from '../http/stream-pump.js';
import type { PreparedResponse } from '../http/prepared-response.js';
import { preparedBytes } from './prepared-bytes.js';
import type { RouteStats } from '../metrics/route-stats.js';
import { Framing, buildResponseHead, isBodyless } from './response-head.js';

/** What an exchange needs from the connection that owns it. */
export interface ExchangeOwner {
  readonly socket: Socket;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  /** False once the connection is shutting down or must close after this exchange. */
  readonly mayKeepAlive: boolean;
  onBodyWanted(): void;
  onResponseDone(exchange: ServerExchange): void;
  onWriteBlocked(): void;
  /** Everything written so far reached the kernel (a write callback, where no 'drain' comes). */
  onWriteProgress(): void;
  /** The exchange takes the socket over (Upgrade): stop reading and parsing; returns bytes read past the head. */
  onUpgrade(exchange: ServerExchange): Buffer;
}

const CRLF = '\r\n';
/** Bodies up to this size are copied behind the head and sent in one write. */
const SMALL_BODY = 8 * 1024;
/**
 * Prepared responses keep up to 6 copies of their body (prepared-bytes.ts): small ones only.
 * Larger bodies go out as their prepared head (no body copy) and the body, in one writev.
 */
const PREPARED_BODY = 16 * 1024;
const LAST_CHUNK = '0\r\n\r\n';
const TOO_LARGE_FIELDS = ['Content-Type', 'text/plain; charset=utf-8'];
const TOO_LARGE_BODY = '413 Content Too Large\n';

export class ServerExchange implements FileSink {
  readonly secure: boolean;
  readonly startedAt: number;
  /** Set by the router before the handler runs: the normalised path and the matched prefix. */
  path = '/';
  routePath = '/';
  routeStats: RouteStats | null = null;
  status = 0;
  bytesSent = 0;
  durationMs = 0;
  /** Set by basic_auth: the access log's $remote_user ("" for none). */
  remoteUser = '';
  /** Whether the connection may carry another request after this one. */
  keepAlive = false;
  readonly #owner: ExchangeOwner;
  readonly #socket: Socket;
  #body: RequestBody | null = null;
  #requestDone = false;
  #continueSent = false;
  #headSent = false;
  #ended = false;
  #closed = false;
  #framing = Framing.None;
  #suppressBody = false;
  #drainWaiters: (() => void)[] | null = null;
  #stream: Readable | null = null;
  /** The head handlers see (setRequestHeaders swaps in a copy) and the fields as they arrived (for logs). */
  #request: RequestHead;
  readonly #receivedHeaders: readonly string[];
  /** Response header edits of the route's directives, applied in #startHead; null when unused. */
  #addHeaders: readonly string[] | null = null;
  #removeHeaders: readonly string[] | null = null;
  /** Request body bytes so far, and the route's cap on them (limitRequestBody). */
  #bodyBytes = 0;
  #bodyLimit = Number.POSITIVE_INFINITY;
  #bodyRefused = false;
  /** Close the connection after this response whatever the client asked. */
  #mustClose = false;
  /** Told once if the client goes away first (watchClose). */
  #closeWatcher: CloseWatcher | null = null;

  constructor(owner: ExchangeOwner, request: RequestHead, now: number) {
    this.#owner = owner;
    this.#socket = owner.socket;
    this.#request = request;
    this.#receivedHeaders = request.headers;
    this.secure = owner.secure;
    this.startedAt = now;
    if (request.bodyKind !== BodyKind.None) this.#body = new RequestBody(owner);
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

  setRemoteUser(user: string): void {
    this.remoteUser = user;
  }

  /** Replaces the request's header fields for the handlers behind (request_headers directives). */
  setRequestHeaders(list: readonly string[]): void {
    // The bytes received no longer say what handlers behind see.
    this.#request = { ...this.#request, headers: list, received: null };
  }

  /** RFC 9110 §15.5.14: caps the body; a declared length over it is refused at once (false). */
  limitRequestBody(maxBytes: number): boolean {
    this.#bodyLimit = maxBytes;
    const request = this.#request;
    const over =
      request.bodyKind === BodyKind.ContentLength
        ? request.contentLength > maxBytes
        : this.#bodyBytes > maxBytes;
    if (over) this.#refuseBodyLater();
    return !over;
  }

  get hasBody(): boolean {
    return this.request.bodyKind !== BodyKind.None;
  }

  /** The body stream; asking for it is the intent to read it, so `100 Continue` goes out now. */
  body(): Readable {
    if (this.#body === null) return emptyBody();
    this.sendContinueIfAsked();
    return this.#body;
  }

  /** Request header lookup by lower-case name, as the client sent it (for logs). */
  header(lowerName: string): string | undefined {
    return findHeader(this.#receivedHeaders, lowerName);
  }

  get method(): string {
    return this.request.method;
  }

  get target(): string {
    return this.request.target;
  }

  get versionMajor(): number {
    return 1;
  }

  get versionMinor(): number {
    return this.request.versionMinor;
  }

  /** The connection got body bytes; false asks it to stop reading (backpressure). */
  pushBody(chunk: Buffer): boolean {
    const body = this.#body;
    if (body === null || body.destroyed || this.#ended) return true;
    this.#bodyBytes += chunk.length;
    if (this.#bodyBytes > this.#bodyLimit) {
      this.#refuseBodyLater();
      return false; // the connection pauses its parser: no more of this body is read
    }
    return body.push(chunk);
  }

  #refuseBodyLater(): void {
    if (this.#bodyRefused) return;
    this.#bodyRefused = true;
    // Not from inside the parser's loop: once it has paused, the 413 ends the connection.
    queueMicrotask(() => {
      this.#refuseBody();
    });
  }

  /** RFC 9110 §15.5.14: 413 and close (the rest of the body is never read), or abort if too late. */
  #refuseBody(): void {
    this.#mustClose = true;
    this.failBody(new Error('request body larger than the route allows'));
    if (this.#closed || this.#ended) return;
    if (this.#headSent) this.abort();
    else this.send(413, TOO_LARGE_FIELDS, TOO_LARGE_BODY);
  }

  endBody(): void {
    this.#requestDone = true;
    const body = this.#body;
    if (body !== null && !body.destroyed) body.push(null);
  }

  /**
   * Ends the body stream early with `error`. Its 'error' event comes a tick later, when the reader
   * may have let go already: RequestBody keeps a listener of its own, so it never goes unheard.
   */
  failBody(error: Error): void {
    const body = this.#body;
    if (body === null || body.destroyed) return;
    body.destroy(error);
  }

  /** Body bytes the client has still to send: exact for Content-Length, -1 (unknown) for chunked. */
  get unreadBodyBytes(): number {
    const request = this.#request;
    if (this.#requestDone || request.bodyKind === BodyKind.None) return 0;
    if (request.bodyKind === BodyKind.ContentLength) return request.contentLength - this.#bodyBytes;
    return -1;
  }

  get requestDone(): boolean {
    return this.#requestDone;
  }

  /** Sends `100 Continue` once, when the handler first wants the body (RFC 9110 §10.1.1). */
  sendContinueIfAsked(): void {
    if (this.request.expectContinue && !this.#continueSent && !this.#headSent) {
      this.#continueSent = true;
      this.#socket.setNoDelay(true); // the response follows in another write
      this.#socket.write(CONTINUE_100, 'latin1');
    }
  }

  // ---- response side ----

  get headSent(): boolean {
    return this.#headSent;
  }

  addResponseHeaders(list: readonly string[]): void {
    const added = this.#addHeaders;
    this.#addHeaders = added === null ? list : added.concat(list);
  }

  removeResponseHeaders(lowerNames: readonly string[]): void {
    const removed = this.#removeHeaders;
    this.#removeHeaders = removed === null ? lowerNames : removed.concat(lowerNames);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get ended(): boolean {
    return this.#ended;
  }

  send(status: number, headers: readonly string[], body?: string | Buffer): void {
    const length =
      body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const head = this.#startHead(status, headers, length);
    const socket = this.#socket;
    if (this.#suppressBody || length === 0 || body === undefined) {
      socket.write(head, 'latin1');
    } else if (length <= SMALL_BODY) {
      // One buffer, one write: cheaper than a writev of two for small answers.
      const headLength = head.length;
      const out = Buffer.allocUnsafe(headLength + length);
      out.write(head, 0, headLength, 'latin1');
      if (typeof body === 'string') out.write(body, headLength, length, 'utf8');
      else body.copy(out, headLength);
      socket.write(out);
      this.bytesSent = length;
    } else {
      // One writev for head and body: cork, two writes, uncork.
      socket.cork();
      socket.write(head, 'latin1');
      if (typeof body === 'string') socket.write(body, 'utf8');
      else socket.write(body);
      socket.uncork();
      this.bytesSent = length;
    }
    this.#flushRest();
    this.#finish();
  }

  /** Sends a prepared response: its bytes for this second and connection kind, in one write. */
  sendPrepared(response: PreparedResponse): void {
    const body = response.body;
    if (this.#addHeaders !== null || this.#removeHeaders !== null) {
      this.send(response.status, response.headers, body);
      return;
    }
    const connection = this.#decideHead(response.status, body.length);
    const socket = this.#socket;
    if (body.length <= PREPARED_BODY || this.#suppressBody) {
      socket.write(preparedBytes(response, connection, this.#suppressBody, this.startedAt));
    } else {
      // The head-only bytes are the head of the whole response (same Content-Length): no head
      // string built, and two buffers in one writev (cheaper than a string and a buffer).
      socket.cork();
      socket.write(preparedBytes(response, connection, true, this.startedAt));
      socket.write(body);
      socket.uncork();
    }
    if (!this.#suppressBody) this.bytesSent = body.length;
    this.#flushRest();
    this.#finish();
  }

  writeHead(status: number, headers: readonly string[], length: number): void {
    const socket = this.#socket;
    // More writes follow (body pieces, a stream, a file): none may wait for a delayed ACK
    // (a connection kept alive has TCP_NODELAY already, from its request head).
    socket.setNoDelay(true);
    socket.write(this.#startHead(status, headers, length), 'latin1');
  }

  /**
   * A whole response went out in one write: the usual case needs no TCP_NODELAY (the connection
   * sets it for clients that stay). When the kernel took only part of it, the rest goes out in
   * later writes, which must not wait for a delayed ACK: setting it now also pushes what Nagle holds.
   * Corked (answered inside the connection's parser run), the bytes are not written yet: the
   * connection checks after uncorking.
   */
  #flushRest(): void {
    const socket = this.#socket;
    if (socket.writableCorked === 0 && socket.writableLength !== 0) socket.setNoDelay(true);
  }

  write(chunk: Buffer | string): boolean {
    if (!this.#headSent) throw new Error('write() before writeHead()');
    if (this.#ended || this.#closed) return false;
    if (this.#suppressBody) return true;
    const socket = this.#socket;
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (length === 0) return !socket.writableNeedDrain;
    this.bytesSent += length;
    let ok: boolean;
    if (this.#framing === Framing.Chunked) {
      socket.cork();
      socket.write(`${length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write(CRLF, 'latin1');
      socket.uncork();
    } else {
      ok = socket.write(chunk);
    }
    if (!ok) this.#owner.onWriteBlocked();
    return ok;
  }

  drained(): Promise<void> {
    if (this.#closed || !this.#socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      (this.#drainWaiters ??= []).push(resolve);
    });
  }

  /** The socket drained (or closed): wake writers waiting in drained(). */
  onDrain(): void {
    const waiters = this.#drainWaiters;
    if (waiters === null) return;
    this.#drainWaiters = null;
    for (const resolve of waiters) resolve();
  }

  end(chunk?: Buffer | string): void {
    if (this.#ended || this.#closed) return;
    if (!this.#headSent) throw new Error('end() before writeHead()');
    if (chunk !== undefined) this.write(chunk);
    if (this.#framing === Framing.Chunked && !this.#suppressBody) {
      this.#socket.write(LAST_CHUNK, 'latin1');
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
    this.#stream = stream;
    pumpStream(this, stream, () => {
      this.#stream = null;
    });
  }

  /**
   * Sends `length` bytes of an open file from `start`, with Content-Length, through one recycled
   * buffer (file-sender.ts). Takes ownership of `file`: it is closed at the end.
   */
  sendFile(
    status: number,
    headers: readonly string[],
    file: FileHandle,
    start: number,
    length: number,
  ): void {
    this.writeHead(status, headers, length);
    if (this.#suppressBody || this.#closed || length === 0) {
      void file.close().catch(() => undefined);
      this.end();
      return;
    }
    new FileSender(this, file, start, length).start();
  }

  // ---- FileSink: what the FileSender of sendFile reports ----

  get socket(): Socket {
    return this.#socket;
  }

  onFileBytes(count: number): void {
    this.bytesSent += count;
  }

  onFileBlocked(): void {
    this.#owner.onWriteBlocked();
  }

  onFileProgress(): void {
    this.#owner.onWriteProgress();
  }

  onFileSent(): void {
    this.end();
  }

  onFileFailed(error: Error): void {
    this.abort(error);
  }

  abort(_reason?: Error): void {
    if (this.#closed) return;
    this.#stream?.destroy();
    this.#socket.destroy();
  }

  /** RFC 9110 §7.8: hands the socket to the handler, which writes the 101 and speaks the new protocol. */
  upgrade(): { socket: Socket; head: Buffer } {
    if (this.#headSent || this.#closed) {
      throw new Error('upgrade() after the response began or the client left');
    }
    if (this.request.upgrade === '') throw new Error('upgrade() for a request without Upgrade');
    if (!this.#requestDone) throw new Error('upgrade() before the request was read whole');
    this.#headSent = true;
    this.#ended = true;
    this.status = 101;
    this.keepAlive = false;
    this.durationMs = Date.now() - this.startedAt;
    this.#socket.setNoDelay(true); // the new protocol writes many small frames
    const head = this.#owner.onUpgrade(this);
    return { socket: this.#socket, head };
  }

  /** A handler threw or rejected: answer 500 if nothing was sent yet, else cut the connection. */
  fail(): void {
    if (this.#closed || this.#ended) return;
    if (this.#headSent) {
      this.abort();
      return;
    }
    this.keepAlive = false;
    this.#headSent = true;
    this.status = 500;
    this.#socket.write(cannedResponse(500, Date.now()), 'latin1');
    this.#finish();
  }

  /** Tells `watcher` when the client goes away before the exchange is over; null stops it. */
  watchClose(watcher: CloseWatcher | null): void {
    this.#closeWatcher = watcher;
  }

  /**
   * The engine answered this exchange with a canned error (a bad or late body) before the
   * handler did: the access log shows that answer.
   */
  refused(status: number, bodyBytes: number): void {
    this.status = status;
    this.bytesSent = bodyBytes;
    this.durationMs = Date.now() - this.startedAt;
  }

  /** The client went away. */
  onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#ended) this.durationMs = Date.now() - this.startedAt;
    this.#stream?.destroy();
    this.#stream = null;
    if (!this.#requestDone) this.failBody(clientAborted('client closed the connection'));
    this.onDrain();
    const watcher = this.#closeWatcher;
    this.#closeWatcher = null;
    watcher?.onClientClose();
  }

  #startHead(status: number, headers: readonly string[], length: number): string {
    const connection = this.#decideHead(status, length);
    const fields =
      this.#addHeaders === null && this.#removeHeaders === null
        ? headers
        : editHeaderList(headers, this.#removeHeaders, this.#addHeaders);
    return buildResponseHead(status, fields, this.#framing, length, connection, this.startedAt);
  }

  /** Settles status, framing and keep-alive for the head; returns the Connection field to send. */
  #decideHead(status: number, length: number): string {
    if (this.#headSent) throw new Error('response head already sent');
    this.#headSent = true;
    this.status = status;
    const request = this.request;
    this.#suppressBody = request.method === 'HEAD' || isBodyless(status);
    // RFC 9110 §10.1.1: if we answer before reading a body the client may be holding back, close.
    const unreadContinue = request.expectContinue && !this.#continueSent && !this.#requestDone;
    let keepAlive =
      request.keepAlive && this.#owner.mayKeepAlive && !unreadContinue && !this.#mustClose;
    let framing: Framing;
    if (isBodyless(status)) framing = Framing.None;
    else if (length >= 0) framing = Framing.Length;
    else if (request.versionMinor === 1) framing = Framing.Chunked;
    else {
      framing = Framing.Close;
      keepAlive = false;
    }
    this.#framing = framing;
    this.keepAlive = keepAlive;
    return !keepAlive ? 'close' : request.versionMinor === 0 ? 'keep-alive' : '';
  }

  #finish(): void {
    this.#ended = true;
    this.durationMs = Date.now() - this.startedAt;
    this.#owner.onResponseDone(this);
  }
}
