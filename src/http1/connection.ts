// One HTTP/1.1 connection: feeds the parser, runs exchanges strictly in order, keep-alive, timeouts.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { clientAborted } from '../errors.js';
import { cannedResponse } from './canned-responses.js';
import type { ParseError } from './parse-error.js';
import type { EngineConnection } from '../http/connection-set.js';
import type { ConnectionTimeouts } from '../http/limits.js';
import type { RequestHead } from '../http/request-head.js';
import { type ParserLimits, type ParserSink, RequestParser } from './request-parser.js';
import { type ExchangeOwner, ServerExchange } from './server-exchange.js';

export type Http1Timeouts = ConnectionTimeouts;

/** What every connection of a listener shares: limits, timeouts, where exchanges go, logs. */
export interface ConnectionContext {
  readonly limits: ParserLimits;
  readonly timeouts: Http1Timeouts;
  /** Hands a new exchange to the router; must not throw. */
  dispatch(exchange: ServerExchange): void;
  /** Called when an exchange has been answered (access log). */
  onExchangeDone(exchange: ServerExchange): void;
  /** Debug lines about protocol errors and timeouts; null when debug is off. */
  readonly debug: ((message: string) => void) | null;
}

/** Which deadline the sweeper enforces now. */
const enum Wait {
  /** A handler is working: no engine deadline. */
  None,
  /** Idle keep-alive: close quietly. */
  Idle,
  /** A request head is arriving: 408 at the deadline (slowloris guard). */
  Head,
  /** A request body is arriving: 408 when it stalls. */
  Body,
}

/** After we end our side on an error, how long we keep reading before we destroy the socket. */
const LINGER_MS = 2000;

export class Http1Connection implements ParserSink, ExchangeOwner, EngineConnection {
  readonly socket: Socket;
  /** The peer, read once (Node's getters look it up again on every call). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** A TLS socket (the listener terminated TLS before handing it over). */
  readonly secure: boolean;
  readonly #context: ConnectionContext;
  readonly #parser: RequestParser;
  #exchange: ServerExchange | null = null;
  #responseDone = false;
  /** Bytes read but not parsed yet (the parser is paused). */
  #leftover: Buffer | null = null;
  #feeding = false;
  #closing = false;
  /** We ended our side (after an error or a last response): input is read and dropped. */
  #lingering = false;
  #closed = false;
  #wait = Wait.Idle;
  #deadline: number;
  #sendDeadline = 0;
  #linger: NodeJS.Timeout | null = null;
  readonly #onClosed: (connection: Http1Connection) => void;
  /** A handler took the socket over (Upgrade): the engine only waits for it to close. */
  #upgraded = false;
  readonly #onSocketData = (chunk: Buffer): void => {
    this.#onData(chunk);
  };
  readonly #onSocketDrain = (): void => {
    this.#sendDeadline = 0;
    this.#exchange?.onDrain();
  };
  readonly #onSocketEnd = (): void => {
    this.#onEnd();
  };

  constructor(
    socket: Socket,
    context: ConnectionContext,
    onClosed: (connection: Http1Connection) => void,
  ) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.secure = socket instanceof TLSSocket;
    this.#context = context;
    this.#onClosed = onClosed;
    this.#parser = new RequestParser(this, context.limits);
    this.#deadline = Date.now() + context.timeouts.headerMs;
    this.#wait = Wait.Head;
    socket.on('data', this.#onSocketData);
    socket.on('drain', this.#onSocketDrain);
    socket.on('end', this.#onSocketEnd);
    socket.on('close', () => {
      this.#onClose();
    });
  }

  get mayKeepAlive(): boolean {
    return !this.#closing;
  }

  /** Busy with a request (for graceful shutdown). */
  get busy(): boolean {
    return this.#upgraded || this.#exchange !== null || !this.#parser.idle;
  }

  // ---- reading ----

  #onData(chunk: Buffer): void {
    if (this.#lingering) return; // our side is closed: read and drop what still comes
    if (this.#leftover !== null) {
      this.#leftover = Buffer.concat([this.#leftover, chunk]);
      return;
    }
    if (this.#wait === Wait.Idle) {
      this.#wait = Wait.Head;
      this.#deadline = Date.now() + this.#context.timeouts.headerMs;
    }
    this.#feed(chunk);
  }

  /** Runs the parser over data; keeps what it did not consume and stops reading meanwhile. */
  #feed(data: Buffer): void {
    const socket = this.socket;
    this.#feeding = true;
    socket.cork();
    const consumed = this.#parser.execute(data);
    socket.uncork();
    this.#feeding = false;
    if (this.#wait === Wait.Idle && this.#parser.readingHead) {
      // A pipelined request began in this read: its head is timed from now, not the idle clock.
      this.#wait = Wait.Head;
      this.#deadline = Date.now() + this.#context.timeouts.headerMs;
    }
    if (consumed < data.length && !this.#parser.dead && !this.#closed) {
      this.#leftover = this.#leftover === null ? data.subarray(consumed) : this.#leftover;
      socket.pause();
    }
  }

  #resumeParsing(): void {
    this.#parser.resume();
    if (this.#feeding || this.#closed) return;
    const leftover = this.#leftover;
    if (leftover !== null) {
      this.#leftover = null;
      this.#feed(leftover);
    }
    if (this.#leftover === null && !this.#closing) this.socket.resume();
  }

  #onEnd(): void {
    // The client half-closed. Finish the exchange in progress, then close.
    if (this.#exchange !== null || this.#leftover !== null) this.#closing = true;
    else if (!this.socket.writableEnded) this.socket.end(); // end() twice costs an error object
  }

  // ---- ParserSink ----

  onRequestHead(head: RequestHead): void {
    const now = Date.now();
    const exchange = new ServerExchange(this, head, now);
    this.#exchange = exchange;
    this.#responseDone = false;
    if (exchange.hasBody) {
      this.#wait = Wait.Body;
      this.#deadline = now + this.#context.timeouts.bodyMs;
    } else {
      this.#wait = Wait.None;
    }
    this.#context.dispatch(exchange);
  }

  onBody(chunk: Buffer): void {
    const exchange = this.#exchange;
    if (exchange === null) return;
    this.#deadline = Date.now() + this.#context.timeouts.bodyMs;
    if (!exchange.pushBody(chunk)) this.#parser.pause();
  }

  onRequestEnd(): void {
    const exchange = this.#exchange;
    if (exchange === null) return;
    exchange.endBody();
    this.#wait = Wait.None;
    if (this.#responseDone) this.#completeExchange(exchange);
    else this.#parser.pause(); // pipelining: the next request waits until this response is sent
  }

  onParseError(error: ParseError): void {
    this.#context.debug?.(
      `Bad request from ${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}: ${error.status} ${error.reason}`,
    );
    const exchange = this.#exchange;
    if (exchange !== null) {
      exchange.failBody(clientAborted(error.reason));
      if (exchange.ended) {
        // The answer is complete (and maybe still corked): let it go out, then close.
        this.#context.onExchangeDone(exchange);
        this.#exchange = null;
        this.#endGracefully();
        return;
      }
      if (exchange.headSent) {
        this.socket.destroy(); // a response cut in the middle: nothing honest to add
        return;
      }
    }
    this.#closeWith(error.status);
  }

  // ---- ExchangeOwner ----

  onBodyWanted(): void {
    const exchange = this.#exchange;
    if (exchange === null) return;
    exchange.sendContinueIfAsked();
    if (this.#parser.paused && !exchange.requestDone) this.#resumeParsing();
  }

  onResponseDone(exchange: ServerExchange): void {
    if (exchange !== this.#exchange) return;
    this.#responseDone = true;
    if (!exchange.keepAlive) this.#closing = true;
    if (exchange.requestDone) {
      this.#completeExchange(exchange);
      if (!this.#closed && !this.#closing) this.#resumeParsing();
    } else if (this.#closing) {
      // Answered before the body arrived and we will close: stop here.
      this.#context.onExchangeDone(exchange);
      this.#exchange = null;
      this.#endGracefully();
    } else if (exchange.hasBody) {
      // Answered before the body arrived: read and drop the rest of the body, then go on.
      exchange.failBody(clientAborted('response sent before the request body was read'));
      if (this.#parser.paused) this.#resumeParsing();
    }
  }

  /** Lets go of the socket (RFC 9110 §7.8): no more parsing or deadlines; returns the unparsed bytes. */
  onUpgrade(exchange: ServerExchange): Buffer {
    this.#upgraded = true;
    this.#wait = Wait.None;
    this.#sendDeadline = 0;
    this.#parser.pause();
    const socket = this.socket;
    socket.off('data', this.#onSocketData);
    socket.off('drain', this.#onSocketDrain);
    socket.off('end', this.#onSocketEnd);
    // A flowing socket with no 'data' listener drops bytes: hold them until the new owner reads.
    socket.pause();
    const head = this.#leftover ?? Buffer.alloc(0);
    this.#leftover = null;
    this.#exchange = null;
    this.#context.onExchangeDone(exchange);
    return head;
  }

  onWriteBlocked(): void {
    if (this.#sendDeadline === 0) this.#sendDeadline = Date.now() + this.#context.timeouts.sendMs;
  }

  onWriteProgress(): void {
    this.#sendDeadline = 0;
  }

  #completeExchange(exchange: ServerExchange): void {
    this.#context.onExchangeDone(exchange);
    this.#exchange = null;
    if (this.#closing) {
      this.#parser.pause();
      this.#endGracefully();
      return;
    }
    this.#wait = Wait.Idle;
    this.#deadline = Date.now() + this.#context.timeouts.idleMs;
  }

  // ---- timeouts and closing ----

  /** Called by the sweeper about once a second. */
  checkDeadlines(now: number): void {
    if (this.#closed || this.#upgraded) return;
    if (this.#sendDeadline !== 0 && now > this.#sendDeadline) {
      this.#context.debug?.(`Send timeout for ${this.socket.remoteAddress ?? '?'}`);
      this.socket.destroy();
      return;
    }
    if (this.#wait === Wait.None || now <= this.#deadline) return;
    if (this.#wait === Wait.Idle) {
      this.#endGracefully();
      return;
    }
    // RFC 9110 §15.5.9: 408 when the client does not send the request in time.
    this.#context.debug?.(
      `Request timeout (${this.#wait === Wait.Head ? 'head' : 'body'}) for ${this.socket.remoteAddress ?? '?'}`,
    );
    const exchange = this.#exchange;
    if (exchange !== null) {
      exchange.failBody(clientAborted('request body timeout'));
      if (exchange.headSent) {
        this.socket.destroy();
        return;
      }
      this.#exchange = null;
    }
    this.#closeWith(408);
  }

  /**
   * Graceful shutdown: a busy connection closes after its response. An idle one closes now, or,
   * with `idleGraceMs` (a reload handing over to a new generation), after one more request
   * answered with `Connection: close` or at the end of the grace: a client that sent a request
   * just as we closed would otherwise see a reset.
   */
  shutdown(idleGraceMs: number): void {
    // A tunnel has no request boundary to stop at: the shutdown deadline cuts it.
    if (this.#upgraded) return;
    this.#closing = true;
    if (this.#exchange !== null) return;
    if (idleGraceMs <= 0) {
      this.#endGracefully();
    } else if (this.#parser.idle) {
      this.#wait = Wait.Idle;
      this.#deadline = Math.min(this.#deadline, Date.now() + idleGraceMs);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Sends a canned error response and closes; reads and drops what still arrives for a while. */
  #closeWith(status: number): void {
    this.#wait = Wait.None;
    this.#closing = true;
    this.#leftover = null;
    this.#parser.pause();
    if (!this.socket.writable) {
      this.socket.destroy();
      return;
    }
    this.socket.write(cannedResponse(status, Date.now()), 'latin1');
    this.#endGracefully();
  }

  #endGracefully(): void {
    this.#closing = true;
    this.#lingering = true;
    this.#wait = Wait.None;
    if (this.#closed) return;
    if (!this.socket.writableEnded) this.socket.end();
    this.socket.resume(); // keep reading (and dropping) so the client sees our response, not a reset
    this.#linger ??= setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#linger !== null) clearTimeout(this.#linger);
    const exchange = this.#exchange;
    if (exchange !== null) {
      exchange.onClose();
      this.#exchange = null;
    }
    this.#onClosed(this);
  }
}
