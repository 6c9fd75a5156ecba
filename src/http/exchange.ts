// What a handler sees of one request/response exchange: the request head, its body, and the response calls.
import type { Socket } from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { PreparedResponse } from './prepared-response.js';
import type { RequestHead } from './request-head.js';

/** Someone who holds resources for an exchange (a proxy's upstream connection) and frees them when the client leaves. */
export interface CloseWatcher {
  onClientClose(): void;
}

/** Response header fields, flat: [name, value, name, value, ...]. The engine adds Date, Server, framing and Connection. */
export type HeaderList = readonly string[];

export interface Exchange {
  readonly request: RequestHead;
  /** Client address and port (as the socket sees them). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The request came over TLS (https): the proxy says proto=https, redirects keep the scheme. */
  readonly secure: boolean;
  /** The request path with dot-segments removed (RFC 3986 §5.2.4), still percent-encoded; routes match it. */
  readonly path: string;
  /** The route prefix that matched ("/" for the root route). */
  readonly routePath: string;
  /** The request has a body (Content-Length > 0 or chunked). */
  readonly hasBody: boolean;
  /** The request body as a stream with backpressure; empty when there is none. Reading it sends `100 Continue` when the client asked. */
  body(): Readable;
  /** The response head has been sent. */
  readonly headSent: boolean;
  /** The client went away or the exchange was aborted. */
  readonly closed: boolean;
  /** Sends a whole response; Content-Length is set by the engine; HEAD requests get no body. */
  send(status: number, headers: HeaderList, body?: string | Buffer): void;
  /**
   * Sends a fixed response kept as ready bytes (respond, cached small files): one write, no head
   * building. Same result as `send(response.status, response.headers, response.body)`.
   */
  sendPrepared(response: PreparedResponse): void;
  /** Starts a streamed response: `length` >= 0 sets Content-Length, -1 means chunked (close-delimited for HTTP/1.0). */
  writeHead(status: number, headers: HeaderList, length: number): void;
  /** Writes body bytes after writeHead; false means wait for `drained()`. */
  write(chunk: Buffer | string): boolean;
  /** Resolves when the socket has flushed what write() buffered (or the client went away). */
  drained(): Promise<void>;
  /** Ends the response (after writeHead). */
  end(chunk?: Buffer | string): void;
  /** Streams a readable as the body with backpressure; destroys the stream if the client goes away. */
  sendStream(status: number, headers: HeaderList, stream: Readable, length: number): void;
  /**
   * Sends `length` bytes of an open file from `start` (Content-Length framing) without a stream;
   * takes ownership of `file` and closes it. HEAD requests get the head only.
   */
  sendFile(
    status: number,
    headers: HeaderList,
    file: FileHandle,
    start: number,
    length: number,
  ): void;
  /**
   * Calls `watcher.onClientClose()` once if the client goes away before the exchange is over (a
   * handler waiting on something else, such as an upstream, frees it at once); null stops it.
   */
  watchClose(watcher: CloseWatcher | null): void;
  /** Gives up on the exchange: the connection is destroyed (for failures after the head was sent). */
  abort(reason?: Error): void;
  /**
   * Takes the connection over after an `Upgrade` request (RFC 9110 §7.8), e.g. a WebSocket: the
   * engine stops parsing and lets go of the socket; the caller writes the 101 head itself and owns
   * the socket from then on. `head` holds bytes the client sent after the request (already the new
   * protocol). Only for a request with an Upgrade field whose body (if any) has been read whole,
   * before any response byte; the access log records 101.
   */
  upgrade(): UpgradedConnection;
  // ---- for directives (src/handlers/directives), set before the handler behind them runs ----
  /** Appends these fields (flat, name/value) to the response head, whoever writes it. */
  addResponseHeaders(list: HeaderList): void;
  /** Drops the handler's response fields with these names (lower case) when the head is written. */
  removeResponseHeaders(lowerNames: readonly string[]): void;
  /** The user a request authenticated as (tried or passed): the access log's $remote_user. */
  setRemoteUser(user: string): void;
  /** Replaces `request.headers` for the handlers behind (routing is done; access logs keep the original). */
  setRequestHeaders(list: HeaderList): void;
  /**
   * Caps the request body at `maxBytes` (RFC 9110 §15.5.14): over it the engine answers 413 and
   * closes the connection. Returns false when the declared Content-Length is already over.
   */
  limitRequestBody(maxBytes: number): boolean;
}

/** What `Exchange.upgrade()` hands over: the raw socket (paused) and bytes already read past the head. */
export interface UpgradedConnection {
  readonly socket: Socket;
  readonly head: Buffer;
}

/** A handler answers exchanges; built once from validated options. */
export interface Handler {
  handle(exchange: Exchange): void | Promise<void>;
}
