// One HTTP/1.1 connection: feeds the parser, runs exchanges strictly in order, keep-alive (its clock and socket sides: connection-clock.ts, connection-socket.ts).
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { clientAborted } from '../errors.js';
import { cannedBodyLength, cannedResponse } from './canned-responses.js';
import type { ParseError } from './parse-error.js';
import type { EngineConnection } from '../http/connection-set.js';
import type { ConnectionTimeouts } from '../http/limits.js';
import type { RequestHead } from '../http/request-head.js';
import { type ParserSink, type RequestParser, returnParser, takeParser } from './request-parser.js';
import { RejectedRequest } from './rejected-request.js';
import { type ExchangeOwner, ServerExchange } from './server-exchange.js';
import { Wait } from './connection-clock.js';
import { ConnectionSocket } from './connection-socket.js';
import type { ConnectionContext } from './connection-context.js';

export type { ConnectionContext, Http1Timeouts } from './connection-context.js';

/**
 * Answered before the request body was read: up to this much of the rest is read and dropped to
 * keep the connection; more closes it (at once for a longer Content-Length, when reached for chunked).
 */
const DRAIN_LIMIT = 1024 * 1024;

export class Http1Connection
  extends ConnectionSocket
  implements ParserSink, ExchangeOwner, EngineConnection
{
  /** A TLS socket (the listener terminated TLS before handing it over). */
  readonly secure: boolean;
  readonly #context: ConnectionContext;
  /** Null between requests: an idle connection holds no parser (see takeParser). */
  #parser: RequestParser | null = null;
  #exchange: ServerExchange | null = null;
  /** The current exchange is in the access log already (refused with a canned error). */
  #exchangeLogged = false;
  #responseDone = false;
  /** Bytes read but not parsed yet (the parser is paused). */
  #leftover: Buffer | null = null;
  #feeding = false;
  /** The last response completed inside a parser run: #feed closes after it (see #closeAfterResponse). */
  #closeAfterFeed = false;
  /** The last request asked to close (Connection: close, HTTP/1.0): the client sends no more. */
  #clientClosing = false;
  readonly #onClosed: (connection: Http1Connection) => void;
  /** Body bytes still to drop after an early answer before the connection is closed instead. */
  #drainBudget = 0;
  /** The client sent its FIN: nothing more will arrive. */
  #peerEnded = false;
  /** A handler took the socket over (Upgrade): the engine only waits for it to close. */
  #upgraded = false;

  constructor(
    socket: Socket,
    context: ConnectionContext,
    onClosed: (connection: Http1Connection) => void,
  ) {
    super(socket);
    // A TLSSocket says so (node:tls itself is loaded only by a server with a TLS listener).
    this.secure = (socket as Partial<TLSSocket>).encrypted === true;
    this.#context = context;
    this.#onClosed = onClosed;
    this.waitForHead();
  }

  /** Idle between requests, nothing owed either way: the first kind the connection cap closes. */
  get idleKeepAlive(): boolean {
    return this.wait === Wait.Idle && this.#exchange === null && !this.closing && !this.#upgraded;
  }

  protected get timeouts(): ConnectionTimeouts {
    return this.#context.timeouts;
  }

  /** Busy with a request (for graceful shutdown). */
  get busy(): boolean {
    return (
      this.#upgraded || this.#exchange !== null || (this.#parser !== null && !this.#parser.idle)
    );
  }

  // ---- reading ----

  protected onSocketDrain(): void {
    this.onWriteProgress();
    this.#exchange?.onDrain();
  }

  protected onSocketData(chunk: Buffer): void {
    if (this.lingering) return; // our side is closed: read and drop what still comes
    if (this.#leftover !== null) {
      this.#leftover = Buffer.concat([this.#leftover, chunk]);
      return;
    }
    if (this.wait === Wait.Idle) this.waitForHead();
    this.#feed(chunk);
  }

  /** Runs the parser over data; keeps what it did not consume and stops reading meanwhile. */
  #feed(data: Buffer): void {
    const socket = this.socket;
    const parser = (this.#parser ??= takeParser(this, this.#context.limits));
    this.#feeding = true;
    socket.cork();
    const consumed = parser.execute(data);
    socket.uncork();
    // What the kernel did not take goes out in later writes: no Nagle wait for them (see
    // onRequestHead; a no-op when TCP_NODELAY is on already).
    if (socket.writableLength !== 0) socket.setNoDelay(true);
    this.#feeding = false;
    if (this.wait === Wait.Idle && parser.readingHead) {
      // A pipelined request began in this read: its head is timed from now, not the idle clock.
      this.waitForHead();
    }
    if (consumed < data.length && !parser.dead && !this.closed) {
      this.#leftover = this.#leftover === null ? data.subarray(consumed) : this.#leftover;
      socket.pause();
    } else if (this.#peerEnded) {
      this.#failTruncatedBody(); // the last bytes before the client's FIN are parsed now
    }
    if (this.#closeAfterFeed) {
      this.#closeAfterFeed = false;
      this.#closeAfterResponse();
    }
    this.#releaseParser();
  }

  #resumeParsing(): void {
    this.#parser?.resume();
    if (this.#feeding || this.closed) return;
    const leftover = this.#leftover;
    if (leftover !== null) {
      this.#leftover = null;
      this.#feed(leftover);
    }
    if (this.#leftover === null && !this.closing) this.socket.resume();
  }

  /** Between requests (nothing held back, nothing half-parsed) the parser goes back to the spares. */
  #releaseParser(): void {
    const parser = this.#parser;
    if (parser === null || this.#feeding || this.#exchange !== null || this.#leftover !== null) {
      return;
    }
    if (!parser.idle) return;
    this.#parser = null;
    returnParser(parser);
  }

  protected onSocketEnd(): void {
    const exchange = this.#exchange;
    if (exchange !== null && this.wait === Wait.Body && this.#leftover === null) {
      // Every byte read was parsed and the body is still short: after the client's FIN it can
      // never complete (RFC 9112 §8: an incomplete message). Waiting would hold the connection
      // until the body timeout, and keep a graceful shutdown waiting for nothing.
      this.#abortExchange(exchange, 'the client closed its side before the end of the body', 400);
      return;
    }
    // The client half-closed. Finish the exchange in progress, then close.
    this.#peerEnded = true;
    if (this.#exchange !== null || this.#leftover !== null) {
      this.markClosing();
      if (this.#leftover === null) this.#failTruncatedBody();
    } else if (!this.socket.writableEnded) this.socket.end(); // end() twice costs an error object
  }

  /**
   * RFC 9112 §8: a FIN before the body's end leaves the request incomplete for good. The handler
   * reading it hears so now, not at the body timeout (a proxy frees its upstream at once), and
   * the connection ends as a body timeout would, minus the wait: 400 if nothing was answered yet.
   */
  #failTruncatedBody(): void {
    const exchange = this.#exchange;
    // Refused already (a canned error went out and the connection is closing): nothing to add.
    if (exchange === null || exchange.requestDone || this.#exchangeLogged) return;
    exchange.failBody(clientAborted('client closed its side before the request body ended'));
    if (this.#responseDone) {
      this.#stopDraining(exchange); // answered already: nothing more will come to drain
    } else if (exchange.headSent) {
      this.socket.destroy(); // a response cut in the middle: nothing honest to add
    } else {
      this.#exchange = null;
      this.#logRefused(exchange, 400);
      this.#closeWith(400);
    }
  }

  // ---- ParserSink ----

  onRequestHead(head: RequestHead): void {
    // A client that keeps the connection needs TCP_NODELAY (set once, a no-op after): a small
    // response behind an unacknowledged one would wait for a delayed ACK. One that closes after
    // this request reads a single write, unless the exchange writes more (it sets it then).
    if (head.keepAlive) this.socket.setNoDelay(true);
    const now = Date.now();
    const exchange = new ServerExchange(this, head, now);
    this.#exchange = exchange;
    if (!this.peerKnown && this.#context.logsAccess) this.readPeer();
    this.#exchangeLogged = false;
    this.#responseDone = false;
    if (exchange.hasBody) {
      this.waitForBody(now, head.expectContinue);
    } else {
      this.stopWaiting();
    }
    this.#context.dispatch(exchange);
  }

  onBody(chunk: Buffer): void {
    const exchange = this.#exchange;
    if (exchange === null) return;
    const responseDone = this.#responseDone;
    this.bodyArrived(Date.now(), chunk.length, !responseDone);
    if (responseDone) {
      // Answered already: these bytes are dropped, up to the drain budget.
      this.#drainBudget -= chunk.length;
      if (this.#drainBudget < 0) this.#stopDraining(exchange);
      return;
    }
    if (!exchange.pushBody(chunk)) this.#parser?.pause();
  }

  onRequestEnd(): void {
    const exchange = this.#exchange;
    if (exchange === null) return;
    exchange.endBody();
    this.stopWaiting();
    if (this.#responseDone) this.#completeExchange(exchange);
    else this.#parser?.pause(); // pipelining: the next request waits until this response is sent
  }

  onParseError(error: ParseError): void {
    this.#context.debug?.(
      `Bad request from ${this.remoteAddress}:${this.remotePort}: ${error.status} ${error.reason}`,
    );
    const exchange = this.#exchange;
    if (exchange !== null) {
      exchange.failBody(clientAborted(error.reason));
      if (exchange.ended) {
        // The answer is complete (and maybe still corked): let it go out, then close.
        this.#context.onExchangeDone(exchange);
        this.#exchange = null;
        this.lingerClose();
        return;
      }
      if (exchange.headSent) {
        this.socket.destroy(); // a response cut in the middle: nothing honest to add
        return; // logged when the socket closes
      }
      // Kept until the socket closes, so its handler learns the client is gone (onClose).
      this.#logRefused(exchange, error.status);
    } else {
      this.#logRefused(null, error.status);
    }
    this.#closeWith(error.status);
  }

  // ---- ExchangeOwner ----

  onBodyWanted(): void {
    const exchange = this.#exchange;
    if (exchange === null) return;
    exchange.sendContinueIfAsked();
    if (this.#parser?.paused === true && !exchange.requestDone) this.#resumeParsing();
  }

  onResponseDone(exchange: ServerExchange): void {
    // Not the current exchange, or one the engine refused already (its canned answer went out).
    if (exchange !== this.#exchange || this.#exchangeLogged) return;
    this.#responseDone = true;
    if (!exchange.keepAlive) this.markClosing();
    if (exchange.requestDone) {
      this.#completeExchange(exchange);
      if (!this.closed && !this.closing) this.#resumeParsing();
      return;
    }
    // No body: onRequestEnd follows at once (the handler answered inside the dispatch).
    if (!exchange.hasBody) return;
    // Answered before the body arrived (an upstream's early 405, a refused upload): whoever was
    // reading the body gets an error, never a hang.
    exchange.failBody(clientAborted('response sent before the request body was read'));
    if (!this.closing && exchange.unreadBodyBytes <= DRAIN_LIMIT) {
      // A little left (or a chunked body, counted as it comes): read and drop it (nginx's
      // discarded body), then keep the connection.
      this.#drainBudget = DRAIN_LIMIT;
      if (this.#parser?.paused === true) this.#resumeParsing();
      return;
    }
    this.#stopDraining(exchange);
  }

  /**
   * Too much body left to drop: close, reading and dropping for a while so the client sees the
   * answer rather than a reset (nginx's lingering close).
   */
  #stopDraining(exchange: ServerExchange): void {
    this.#parser?.pause();
    this.#context.onExchangeDone(exchange);
    this.#exchange = null;
    this.lingerClose();
  }

  /** Lets go of the socket (RFC 9110 §7.8): no more parsing or deadlines; returns the unparsed bytes. */
  onUpgrade(exchange: ServerExchange): Buffer {
    this.#upgraded = true;
    this.stopWaiting();
    this.onWriteProgress();
    this.#parser?.pause();
    this.detachReading();
    const head = this.#leftover ?? Buffer.alloc(0);
    this.#leftover = null;
    this.#exchange = null;
    this.#context.onExchangeDone(exchange);
    return head;
  }

  #completeExchange(exchange: ServerExchange): void {
    this.#context.onExchangeDone(exchange);
    this.#exchange = null;
    if (this.closing) {
      this.#parser?.pause();
      // Inside a parser run the bytes after this request are not known yet: #feed decides.
      this.#clientClosing = !exchange.request.keepAlive;
      if (this.#feeding) this.#closeAfterFeed = true;
      else this.#closeAfterResponse();
      return;
    }
    this.waitIdle(Date.now());
  }

  // ---- timeouts and closing ----

  /** Called by the sweeper about once a second. */
  checkDeadlines(now: number): void {
    if (this.closed || this.#upgraded) return;
    if (this.sendExpired(now)) {
      this.#context.debug?.(`Send timeout for ${this.remoteAddress}`);
      this.socket.destroy();
      return;
    }
    if (this.bodyTooSlow(now, this.#parser)) {
      this.#timeOut('body slower than the minimum rate');
      return;
    }
    const expired = this.expiredWait(now);
    if (expired === Wait.None) return;
    if (expired === Wait.Idle) this.lingerClose();
    else this.#timeOut(expired === Wait.Head ? 'head' : 'body');
  }

  /** RFC 9110 §15.5.9: 408 when the client does not send the request in time (close if answered). */
  #timeOut(what: string): void {
    this.#context.debug?.(`Request timeout (${what}) for ${this.remoteAddress}`);
    const exchange = this.#exchange;
    if (exchange !== null) {
      this.#abortExchange(exchange, 'request body timeout', 408);
      return;
    }
    // A connection that never sent a byte is not a request (browsers open spare ones): not logged.
    if (this.#parser?.readingHead === true) this.#logRefused(null, 408);
    this.#closeWith(408);
  }

  /** Fails the request body; answers `status` and closes, or cuts the connection once a head went out. */
  #abortExchange(exchange: ServerExchange, reason: string, status: number): void {
    exchange.failBody(clientAborted(reason));
    if (exchange.headSent) {
      this.socket.destroy();
      return;
    }
    this.#exchange = null;
    this.#logRefused(exchange, status);
    this.#closeWith(status);
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
    this.markClosing();
    if (this.#exchange !== null) return;
    if (idleGraceMs <= 0) {
      this.lingerClose();
    } else if (this.#parser === null || this.#parser.idle) {
      this.shortenIdle(idleGraceMs);
    }
  }

  /**
   * Logs a request the engine answers with a canned error: the exchange when its head had been
   * dispatched (a body error or timeout), else what the parser knew of the refused head.
   */
  #logRefused(exchange: ServerExchange | null, status: number): void {
    // #closeWith answers only a socket still writable.
    const bytes = this.socket.writable ? cannedBodyLength(status) : 0;
    this.#context.onRefused(status);
    if (exchange !== null) {
      if (this.#exchangeLogged) return; // one line per request
      exchange.refused(status, bytes);
      this.#exchangeLogged = true;
      this.#context.onExchangeDone(exchange);
      return;
    }
    const parser = this.#parser;
    this.#context.onExchangeDone(
      new RejectedRequest(
        this.remoteAddress,
        this.remotePort,
        parser === null ? null : parser.unfinishedLine,
        parser === null ? [] : parser.unfinishedHeaders,
        status,
        bytes,
        this.headSince,
      ),
    );
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Sends a canned error response and closes; reads and drops what still arrives for a while. */
  #closeWith(status: number): void {
    this.stopWaiting();
    this.markClosing();
    this.#leftover = null;
    this.#parser?.pause();
    if (!this.socket.writable) {
      this.socket.destroy();
      return;
    }
    this.socket.write(cannedResponse(status, Date.now()), 'latin1');
    this.lingerClose();
  }

  /**
   * The last response is complete and so is its request. When the client asked to close and
   * nothing more was read (no pipelined bytes, no partial request) the socket closes as soon as
   * our FIN is out, as node:http does: no wait for the client's FIN, no timer, one read fewer.
   * Lingering (below) is kept for when more input may come, which nginx's `lingering_close on`
   * also only does then: closing with unread input would send a reset that can destroy the
   * response before the client reads it. A keep-alive client we close on (a reload, a refused
   * body) may have its next request on the way, so it gets the lingering close too.
   */
  #closeAfterResponse(): void {
    const parser = this.#parser;
    if (this.#clientClosing && this.#leftover === null && (parser === null || parser.idle)) {
      this.closeWhenFlushed();
    } else {
      this.lingerClose();
    }
  }

  protected onSocketClose(): void {
    if (!this.markClosed()) return;
    if (!this.#feeding) {
      // A parser mid-request is dropped; one between requests serves the next connection.
      const parser = this.#parser;
      this.#parser = null;
      if (parser !== null) returnParser(parser);
    }
    const exchange = this.#exchange;
    if (exchange !== null) {
      exchange.onClose();
      this.#exchange = null;
      // The client left (or the response was cut) before the exchange was complete: log what
      // was sent, as nginx does (status 000 when no response had begun).
      if (!this.#upgraded && !this.#exchangeLogged) this.#context.onExchangeDone(exchange);
    }
    this.#onClosed(this);
  }
}
