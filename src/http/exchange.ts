// What a handler sees of one request/response exchange: the request head, its body, and the response calls.
import type { Readable } from 'node:stream';
import type { RequestHead } from '../http1/request-head.js';

/** Response header fields, flat: [name, value, name, value, ...]. The engine adds Date, Server, framing and Connection. */
export type HeaderList = readonly string[];

export interface Exchange {
  readonly request: RequestHead;
  /** Client address and port (as the socket sees them). */
  readonly remoteAddress: string;
  readonly remotePort: number;
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
  /** Gives up on the exchange: the connection is destroyed (for failures after the head was sent). */
  abort(reason?: Error): void;
}

/** A handler answers exchanges; built once from validated options. */
export interface Handler {
  handle(exchange: Exchange): void | Promise<void>;
}
