// One HTTP/2 connection: a node:http2 session on a socket porta accepted, its streams, limits and timeouts.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import {
  constants,
  type IncomingHttpHeaders,
  performServerHandshake,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { EngineConnection } from '../http/connection-set.js';
import { socketPeerAddress } from '../http/peer-address.js';
import {
  type ConnectionTimeouts,
  type Http2Limits,
  RESET_WINDOW_MS,
  type RequestLimits,
} from '../http/limits.js';
import { reasonPhrase } from '../http/status-text.js';
import { toRequestHead } from './request-head.js';
import { StreamExchange, type StreamOwner } from './stream-exchange.js';

/** What every HTTP/2 connection of a listener shares: limits, timeouts, where exchanges go, logs. */
export interface Http2Context {
  readonly limits: RequestLimits;
  readonly timeouts: ConnectionTimeouts;
  readonly http2: Http2Limits;
  /** Hands a new exchange to the router; must not throw. */
  dispatch(exchange: StreamExchange): void;
  /** Called when an exchange's stream has closed (access log). */
  onExchangeDone(exchange: StreamExchange): void;
  readonly debug: ((message: string) => void) | null;
  /** Exchanges are logged: the peer is read when a stream begins, while the socket still knows it. */
  readonly logsAccess: boolean;
}

/** Header pairs nghttp2 may take beyond `maxHeaders`: the pseudo-fields (RFC 9113 §8.3.1). */
const PSEUDO_FIELDS = 4;

export class Http2Connection implements EngineConnection, StreamOwner {
  /** The peer, read when first asked (a system call most connections never need), unmapped. */
  #remoteAddress: string | null = null;
  #remotePort = 0;
  readonly secure: boolean;
  readonly maxBodySize: number;
  readonly #socket: Socket;
  readonly #session: ServerHttp2Session;
  readonly #context: Http2Context;
  readonly #onClosed: (connection: Http2Connection) => void;
  readonly #exchanges = new Set<StreamExchange>();
  /** Our SETTINGS must be acknowledged by then (RFC 9113 §6.5.3), else GOAWAY SETTINGS_TIMEOUT. */
  #settingsDeadline: number;
  #idleDeadline: number;
  /** Socket bytes written at the last sweep, and since when no byte went out while streams wait. */
  #lastWritten = 0;
  #stalledSince = 0;
  #resetWindowStart = 0;
  #resets = 0;
  #closing = false;
  #closed = false;

  constructor(
    socket: Socket,
    context: Http2Context,
    onClosed: (connection: Http2Connection) => void,
  ) {
    this.#socket = socket;
    this.secure = socket instanceof TLSSocket;
    this.#context = context;
    this.#onClosed = onClosed;
    const { limits, timeouts, http2 } = context;
    this.maxBodySize = limits.maxBodySize;
    const now = Date.now();
    this.#settingsDeadline = now + timeouts.headerMs;
    this.#idleDeadline = now + timeouts.idleMs;
    const session = performServerHandshake(socket, {
      settings: {
        maxConcurrentStreams: http2.maxConcurrentStreams,
        maxHeaderListSize: limits.maxHeaderSize,
        enablePush: false,
      },
      maxHeaderListPairs: limits.maxHeaders + PSEUDO_FIELDS,
    });
    this.#session = session;
    session.on('error', (error: Error) => {
      context.debug?.(`HTTP/2 session error from ${this.remoteAddress}: ${error.message}`);
    });
    session.on(
      'stream',
      (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, raw: string[]) => {
        this.#onStream(stream, headers, flags, raw);
      },
    );
    session.once('localSettings', () => {
      this.#settingsDeadline = 0;
    });
    session.once('close', () => {
      this.#onClose();
    });
    socket.once('close', () => {
      if (!session.destroyed) session.destroy();
    });
  }

  get remoteAddress(): string {
    return this.#remoteAddress ?? this.#readPeer();
  }

  get remotePort(): number {
    if (this.#remoteAddress === null) this.#readPeer();
    return this.#remotePort;
  }

  /** Once; after the socket closed Node no longer knows the peer ('' and 0 then). */
  #readPeer(): string {
    const address = socketPeerAddress(this.#socket);
    this.#remoteAddress = address;
    this.#remotePort = this.#socket.remotePort ?? 0;
    return address;
  }

  #onStream(
    stream: ServerHttp2Stream,
    _headers: IncomingHttpHeaders,
    flags: number,
    raw: string[],
  ): void {
    // First thing: a stream 'error' without a listener would take the process down.
    stream.on('error', ignoreStreamError);
    const context = this.#context;
    if (stream.destroyed) {
      // Reset in the same read as its HEADERS (node:http2 emits 'stream' afterwards): the
      // rapid-reset pattern itself; no handler runs for it.
      this.#countReset(Date.now());
      return;
    }
    const head = toRequestHead(raw, flags, context.limits);
    if (typeof head === 'number') {
      stream.respond({ ':status': head, 'content-type': 'text/plain; charset=utf-8' });
      stream.end(`${head} ${reasonPhrase(head)}\n`);
      return;
    }
    if (this.#remoteAddress === null && context.logsAccess) this.#readPeer();
    const exchange = new StreamExchange(this, stream, head, Date.now());
    this.#exchanges.add(exchange);
    // A request without a body is left unread: when our END_STREAM closes the stream, node:http2
    // drains its readable side itself and destroys the stream after our last write completed.
    // Resuming it here would let the stream be destroyed before that write's callback, and Node
    // then builds an ERR_STREAM_DESTROYED (with a stack trace) per response: ~13% of the CPU.
    if (exchange.overBodyLimit) {
      exchange.refuseBody();
      return;
    }
    context.dispatch(exchange);
  }

  onExchangeDone(exchange: StreamExchange): void {
    this.#exchanges.delete(exchange);
    const now = Date.now();
    if (this.#exchanges.size === 0) this.#idleDeadline = now + this.#context.timeouts.idleMs;
    if (exchange.cancelled) this.#countReset(now);
    this.#context.onExchangeDone(exchange);
  }

  /** CVE-2023-44487: a client opening and cancelling streams fast makes us work for nothing. */
  #countReset(now: number): void {
    if (now - this.#resetWindowStart > RESET_WINDOW_MS) {
      this.#resetWindowStart = now;
      this.#resets = 0;
    }
    this.#resets++;
    if (this.#resets > this.#context.http2.maxResets && !this.#session.destroyed) {
      this.#context.debug?.(`HTTP/2 rapid reset from ${this.remoteAddress}: GOAWAY`);
      this.#session.destroy(new Error('rapid reset'), constants.NGHTTP2_ENHANCE_YOUR_CALM);
    }
  }

  /** Called by the sweeper about twice a second. */
  checkDeadlines(now: number): void {
    if (this.#closed) return;
    const session = this.#session;
    if (this.#settingsDeadline !== 0 && now > this.#settingsDeadline) {
      this.#context.debug?.(`HTTP/2 settings timeout for ${this.remoteAddress}`);
      session.destroy(new Error('settings timeout'), constants.NGHTTP2_SETTINGS_TIMEOUT);
      return;
    }
    if (this.#exchanges.size === 0) {
      this.#stalledSince = 0;
      if (now > this.#idleDeadline && !this.#closing) this.shutdown(0);
      return;
    }
    this.#checkStalled(now);
  }

  /** Streams wait but no byte has gone out for the send timeout: the client stopped reading. */
  #checkStalled(now: number): void {
    const written = this.#socket.bytesWritten;
    const timeouts = this.#context.timeouts;
    if (written !== this.#lastWritten) {
      this.#lastWritten = written;
      this.#stalledSince = 0;
    }
    let sending = false;
    for (const exchange of this.#exchanges) {
      if (!exchange.headSent) {
        // RFC 9110 §15.5.9: the request body stalled.
        if (exchange.hasBody && now - exchange.lastActivity > timeouts.bodyMs) {
          exchange.send(
            408,
            ['Content-Type', 'text/plain; charset=utf-8'],
            '408 Request Timeout\n',
          );
        }
      } else if (exchange.blocked) sending = true;
    }
    if (!sending) return;
    if (this.#stalledSince === 0) this.#stalledSince = now;
    else if (now - this.#stalledSince > timeouts.sendMs) {
      this.#context.debug?.(`HTTP/2 send timeout for ${this.remoteAddress}`);
      this.destroy();
    }
  }

  /** GOAWAY (RFC 9113 §6.8): no new streams; those in flight finish, then the connection closes. */
  shutdown(_idleGraceMs: number): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    const session = this.#session;
    if (!session.closed && !session.destroyed) session.close();
  }

  /** No stream open and not closing: the connection cap may close it for a newcomer. */
  get idleKeepAlive(): boolean {
    return this.#exchanges.size === 0 && !this.#closing && !this.#closed;
  }

  /** HTTP/2 has no slow head to reclaim: nghttp2 bounds each HEADERS frame itself. */
  get headStart(): number {
    return -1;
  }

  destroy(): void {
    if (!this.#session.destroyed) this.#session.destroy();
    this.#socket.destroy();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#socket.destroyed) this.#socket.destroy();
    this.#onClosed(this);
  }
}

/** A stream reset or write failure: the stream closes and its exchange sees 'close'. */
function ignoreStreamError(): void {
  // Deliberately empty: 'close' follows.
}
