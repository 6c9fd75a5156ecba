// The Request an app sees: a real `Request` (instanceof holds) whose method, url, headers and signal
// come straight from the exchange; anything else builds the full undici Request once, on demand.
import { isIPv6 } from 'node:net';
import { Readable } from 'node:stream';
import type { CloseWatcher, Exchange } from '../../http/exchange.js';
import { delegateToFull } from './delegate.js';

/** RFC 9110 §9.3.1, §9.3.2: the Fetch standard gives GET and HEAD requests no body. */
function mayHaveBody(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

/** Why the signal aborts when the client goes away (a DOMException like fetch's own aborts). */
function clientGone(): DOMException {
  return new DOMException('The client closed the connection', 'AbortError');
}

/**
 * The request an app's `fetch(request, env)` gets. The fields most apps read (method, url,
 * headers, signal, ip) cost no undici Request; body readers and the rarer fields build one.
 * Also the exchange's close watcher: the client leaving aborts `signal` and a streamed body.
 */
export class AppRequest implements CloseWatcher {
  readonly #exchange: Exchange;
  readonly #url: string;
  #headers: Headers | null = null;
  #controller: AbortController | null = null;
  #full: Request | null = null;
  #watching = false;
  /** The response body being streamed, cancelled if the client goes away. */
  #responseBody: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** When fetch was called (the app timeout counts from here). */
  readonly startedAt: number;
  /** The timeout answered for the app: whatever it returns later is dropped. */
  timedOut = false;

  constructor(exchange: Exchange, secure: boolean, now: number) {
    this.#exchange = exchange;
    this.startedAt = now;
    const request = exchange.request;
    const path = request.path === '*' ? '/' : request.path;
    // The Host field (or an absolute-form target's authority); HTTP/1.0 may send none.
    const host = request.host === '' ? 'localhost' : request.host;
    this.#url = `${secure ? 'https' : 'http'}://${host}${path}${request.query}`;
  }

  /** The exchange this request came on (for porta, not the app). */
  get portaExchange(): Exchange {
    return this.#exchange;
  }

  get method(): string {
    return this.#exchange.request.method;
  }

  get url(): string {
    return this.#url;
  }

  get headers(): Headers {
    if (this.#full !== null) return this.#full.headers;
    let headers = this.#headers;
    if (headers === null) {
      headers = new Headers();
      const list = this.#exchange.request.headers;
      for (let i = 0; i < list.length; i += 2) {
        headers.append(list[i] as string, list[i + 1] as string);
      }
      this.#headers = headers;
    }
    return headers;
  }

  get signal(): AbortSignal {
    return this.#full?.signal ?? this.#abortController().signal;
  }

  /** The client's address, as srvx's `request.ip` gives it. */
  get ip(): string {
    return this.#exchange.remoteAddress;
  }

  /** The full undici Request behind the rarer fields and the body readers, built once. */
  toRequest(): Request {
    if (this.#full !== null) return this.#full;
    const exchange = this.#exchange;
    const method = exchange.request.method;
    const withBody = exchange.hasBody && mayHaveBody(method);
    const init: RequestInit & { duplex: 'half' } = {
      method,
      headers: this.headers,
      signal: this.#abortController().signal,
      body: withBody ? (Readable.toWeb(exchange.body()) as ReadableStream<Uint8Array>) : null,
      duplex: 'half', // a streamed request body (undici requires saying so)
    };
    this.#full = new Request(this.#url, init);
    return this.#full;
  }

  /** Starts streaming a response body: the client leaving cancels it. */
  streamResponse(reader: ReadableStreamDefaultReader<Uint8Array>): void {
    this.#responseBody = reader;
    this.#watch();
  }

  onClientClose(): void {
    this.#controller?.abort(clientGone());
    const reader = this.#responseBody;
    this.#responseBody = null;
    // The app's stream is told (its cancel() runs); a read pending on it resolves done.
    reader?.cancel(clientGone()).catch(() => undefined);
  }

  /** Aborts `signal` when porta gives up on the app (timeout), with this reason. */
  abort(reason: Error): void {
    this.#abortController().abort(reason);
  }

  #abortController(): AbortController {
    let controller = this.#controller;
    if (controller === null) {
      controller = new AbortController();
      this.#controller = controller;
      if (this.#exchange.closed) controller.abort(clientGone());
      else this.#watch();
    }
    return controller;
  }

  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    this.#exchange.watchClose(this);
  }
}

/**
 * The second argument to `fetch(request, env)`: what @hono/node-server passes as `env`
 * (`env.incoming.socket.remoteAddress`, `.remotePort`, `.remoteFamily`, `.encrypted`), so
 * Hono's `getConnInfo` works. It is that shape only, not a node:http IncomingMessage.
 */
export class AppEnv {
  readonly #exchange: Exchange;
  readonly #secure: boolean;

  constructor(exchange: Exchange, secure: boolean) {
    this.#exchange = exchange;
    this.#secure = secure;
  }

  get incoming(): { readonly socket: ConnectionInfo } {
    const exchange = this.#exchange;
    const address = exchange.remoteAddress;
    return {
      socket: {
        remoteAddress: address,
        remotePort: exchange.remotePort,
        remoteFamily: isIPv6(address) ? 'IPv6' : 'IPv4',
        encrypted: this.#secure,
      },
    };
  }
}

/** The client connection as an app sees it through `env.incoming.socket`. */
export interface ConnectionInfo {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: 'IPv4' | 'IPv6';
  /** True over TLS (https), like node's TLSSocket. */
  readonly encrypted: boolean;
}

// Every other Request field and method goes to the full Request; `request instanceof Request`
// holds, as apps and routers check it.
delegateToFull(AppRequest.prototype, Request.prototype, (self: AppRequest) => self.toRequest());
