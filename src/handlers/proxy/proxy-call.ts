// One proxied request: pick an upstream, send head and body, stream the response back, retry when safe.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { CloseWatcher, Exchange } from '../../http/exchange.js';
import { UpstreamFailureSlot } from '../../metrics/upstream-stats.js';
import { BodyKind } from '../../http/request-head.js';
import { type ResponseHead, ResponseFraming } from './client/response-parser.js';
import type { ConnectionUser, UpstreamConnection } from './client/upstream-connection.js';
import type { UpstreamFailure } from './client/upstream-failure.js';
import { sendProxyError } from './error-page.js';
import { filterResponseFields } from './response-fields.js';
import type { ProxyRuntime } from './proxy-runtime.js';
import { startTunnel } from './tunnel.js';
import type { UpstreamPeer } from './upstream-peer.js';

/** RFC 9110 §9.2.2: methods a client may repeat with the same effect, so a proxy may too. */
function isIdempotent(method: string): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'TRACE':
    case 'PUT':
    case 'DELETE':
      return true;
    default:
      return false;
  }
}

const LAST_CHUNK = '0\r\n\r\n';
/** Responses up to this size are held until complete and sent with their head in one write. */
const SMALL_BODY = 16 * 1024;
const CRLF = '\r\n';

export class ProxyCall implements ConnectionUser, CloseWatcher {
  readonly #runtime: ProxyRuntime;
  readonly #exchange: Exchange;
  readonly #target: string;
  readonly #upgrade: boolean;
  readonly #chunked: boolean;
  #peer: UpstreamPeer | null = null;
  #connection: UpstreamConnection | null = null;
  #tried: UpstreamPeer[] | null = null;
  #attempts = 0;
  #staleRetried = false;
  /** The next attempt goes to the same peer on a new connection (after a stale keep-alive socket). */
  #fresh = false;
  #lastFailure: UpstreamFailure | null = null;
  #committed = false;
  /** The client's side failed (it left, or its body was bad): nothing more to do for it. */
  #abandoned = false;
  #finished = false;
  // The request body: read once from the client, kept (up to a limit) so a retry can send it again.
  #body: Readable | null = null;
  #bodyDone = false;
  #replay: Buffer[] | null = [];
  #replayBytes = 0;
  #bodyListeners: {
    readonly data: (chunk: Buffer) => void;
    readonly end: () => void;
    readonly error: () => void;
  } | null = null;
  // A small response held whole, so head and body leave in one write (one syscall, one packet).
  #heldStatus = 0;
  #heldHeaders: readonly string[] | null = null;
  #heldBody: Buffer[] | null = null;

  constructor(runtime: ProxyRuntime, exchange: Exchange) {
    this.#runtime = runtime;
    this.#exchange = exchange;
    this.#target = runtime.targetFor(exchange);
    const request = exchange.request;
    // A tunnel is only set up for a request without a body (WebSocket handshakes are GETs).
    this.#upgrade = request.upgrade !== '' && !exchange.hasBody;
    this.#chunked = request.bodyKind === BodyKind.Chunked;
  }

  /** Returns the wait for DNS when there is one, so the dispatcher turns a throw there into a 500. */
  start(): Promise<void> | undefined {
    this.#exchange.watchClose(this);
    const ready = this.#runtime.group.whenReady();
    if (ready === null) {
      this.#attempt();
      return undefined;
    }
    return ready.then(() => {
      this.#attempt();
    });
  }

  #attempt(): void {
    const exchange = this.#exchange;
    if (exchange.closed) {
      this.#finish();
      return;
    }
    const fresh = this.#fresh;
    this.#fresh = false;
    const peer = fresh ? this.#peer : this.#runtime.group.pick(exchange, this.#tried);
    if (peer === null) {
      const failure = this.#lastFailure;
      if (failure === null)
        this.#runtime.logger.warning(`No upstream available for ${this.#describe()}`);
      this.#fail(failure === null ? 503 : failure.status);
      return;
    }
    this.#peer = peer;
    this.#attempts++;
    peer.active++;
    peer.stats.requests++;
    // After a stale keep-alive socket failed, the retry goes out on a fresh connection.
    const connection = (fresh ? null : peer.pool.take()) ?? peer.pool.open();
    this.#connection = connection;
    const head = this.#runtime.headFor(exchange, this.#target, peer, this.#upgrade);
    connection.begin(this, head, exchange.request.method, exchange.hasBody && !this.#upgrade);
    if (exchange.hasBody && !this.#upgrade) this.#sendBody(connection);
  }

  // ---- request body ----

  #sendBody(connection: UpstreamConnection): void {
    const replay = this.#replay;
    if (replay !== null) {
      for (const chunk of replay) this.#writeChunk(connection, chunk);
    }
    if (this.#bodyDone) {
      connection.endBody(this.#chunked ? LAST_CHUNK : undefined);
      return;
    }
    if (this.#body === null) {
      const body = this.#exchange.body();
      this.#body = body;
      // Listeners are made here, per request with a body, not per call: GETs allocate none.
      const listeners = {
        data: (chunk: Buffer): void => {
          this.#onBodyData(chunk);
        },
        end: (): void => {
          this.#onBodyEnd();
        },
        error: (): void => {
          this.#onBodyError();
        },
      };
      this.#bodyListeners = listeners;
      body.on('data', listeners.data);
      body.once('end', listeners.end);
      body.once('error', listeners.error);
    } else {
      this.#body.resume();
    }
  }

  #writeChunk(connection: UpstreamConnection, chunk: Buffer): boolean {
    if (!this.#chunked) return connection.writeBody(chunk);
    // RFC 9112 §7.1: size line, data, CRLF, corked into one writev.
    const socket = connection.socket;
    socket.cork();
    connection.writeBody(`${chunk.length.toString(16)}${CRLF}`);
    connection.writeBody(chunk);
    const ok = connection.writeBody(CRLF);
    socket.uncork();
    return ok;
  }

  #onBodyData(chunk: Buffer): void {
    if (this.#replay !== null) {
      if (this.#replayBytes + chunk.length <= this.#runtime.options.retryBodyLimit) {
        this.#replay.push(chunk);
        this.#replayBytes += chunk.length;
      } else {
        this.#replay = null; // too big to send twice: no retry once any of it has gone out
      }
    }
    const connection = this.#connection;
    if (connection === null || connection.closed) {
      this.#body?.pause();
      return;
    }
    if (!this.#writeChunk(connection, chunk)) this.#body?.pause();
  }

  #onBodyEnd(): void {
    this.#bodyDone = true;
    this.#connection?.endBody(this.#chunked ? LAST_CHUNK : undefined);
  }

  #onBodyError(): void {
    // The client went away or sent a bad body: nothing to answer; free the upstream connection.
    this.#abandoned = true;
    const connection = this.#connection;
    if (connection === null) this.#finish();
    else connection.destroy('closed', 'the client request body failed');
  }

  /**
   * The client left (reset, or a FIN mid-body) before the exchange was over: close the upstream
   * connection now rather than at its idle timeout (nginx's proxy_ignore_client_abort off). Its
   * failure is the client's doing, so passive health never hears of it.
   */
  onClientClose(): void {
    if (this.#finished) return;
    this.#abandoned = true;
    const connection = this.#connection;
    // Between attempts (waiting for DNS): #attempt sees the closed exchange and stops.
    if (connection !== null) connection.destroy('closed', 'the client went away');
  }

  onUpstreamDrain(): void {
    if (!this.#bodyDone) this.#body?.resume();
  }

  // ---- response ----

  onUpstreamHead(head: ResponseHead): void {
    const exchange = this.#exchange;
    const peer = this.#peer as UpstreamPeer;
    this.#runtime.group.recordSuccess(peer);
    if (exchange.closed || exchange.headSent) {
      // The client left, or the engine answered already (a body over a route's limit gets 413).
      this.#abandoned = true;
      this.#connection?.destroy('closed', 'the client went away');
      return;
    }
    this.#committed = true;
    const fields = filterResponseFields(head.headers, head.connection, false);
    if (fields.keepAliveMs > 0) this.#connection?.limitIdle(Math.max(0, fields.keepAliveMs - 1000));
    let length = -1;
    if (head.framing === ResponseFraming.Length) {
      length = head.contentLength;
      if (length <= SMALL_BODY && length > 0 && exchange.request.method !== 'HEAD') {
        this.#heldStatus = head.status;
        this.#heldHeaders = fields.headers;
        this.#heldBody = [];
        return;
      }
    } else if (head.framing === ResponseFraming.None) {
      length = head.contentLength >= 0 ? head.contentLength : 0;
    }
    exchange.writeHead(head.status, fields.headers, length);
  }

  onUpstreamBody(chunk: Buffer): void {
    const held = this.#heldBody;
    if (held !== null) {
      held.push(chunk);
      return;
    }
    const exchange = this.#exchange;
    if (exchange.write(chunk)) return;
    const connection = this.#connection;
    if (connection === null) return;
    if (exchange.closed) {
      connection.destroy('closed', 'the client went away');
      return;
    }
    connection.pauseResponse();
    void exchange.drained().then(() => {
      this.#onClientDrained();
    });
  }

  #onClientDrained(): void {
    const connection = this.#connection;
    if (connection === null) return;
    if (this.#exchange.closed) connection.destroy('closed', 'the client went away');
    else connection.resumeResponse();
  }

  onUpstreamEnd(): void {
    this.#connection = null;
    this.#release();
    const exchange = this.#exchange;
    if (this.#committed && !exchange.closed && !(this.#heldBody !== null && exchange.headSent)) {
      const held = this.#heldBody;
      if (held === null) exchange.end();
      else {
        const body = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held);
        exchange.send(this.#heldStatus, this.#heldHeaders ?? [], body);
      }
    }
    this.#heldBody = null;
    this.#finish();
  }

  onUpstreamSwitch(head: ResponseHead, socket: Socket, rest: Buffer): void {
    this.#connection = null;
    const peer = this.#peer as UpstreamPeer;
    this.#runtime.group.recordSuccess(peer);
    if (!this.#upgrade) {
      // RFC 9110 §15.2.2: a 101 to a request that asked for no upgrade is not valid.
      socket.destroy();
      this.onUpstreamFailure(this.#runtime.protocolFailure('101 without an Upgrade request'));
      return;
    }
    this.#committed = true;
    this.#finished = true;
    this.#exchange.watchClose(null);
    startTunnel(this.#runtime, this.#exchange, peer, head, socket, rest);
  }

  onUpstreamFailure(failure: UpstreamFailure): void {
    this.#connection = null;
    const peer = this.#peer as UpstreamPeer;
    this.#release();
    this.#lastFailure = failure;
    const runtime = this.#runtime;
    if (this.#abandoned || this.#exchange.closed) {
      // The client left (or its body failed): nobody to answer; the upstream is not to blame.
      this.#exchange.abort();
      this.#finish();
      return;
    }
    if (this.#committed) {
      runtime.logger.warning(
        `Upstream ${peer.label} failed mid-response for ${this.#describe()}: ${failure.kind}: ${failure.message}`,
      );
      runtime.group.recordFailure(peer);
      peer.stats.failed(failure.slot);
      // Head not sent yet (a held small response): an error page; else a cut connection, so the
      // client cannot take a truncated body for a whole one.
      this.#heldBody = null;
      sendProxyError(this.#exchange, failure.status);
      this.#finish();
      return;
    }
    const replayable = !this.#exchange.hasBody || this.#replay !== null;
    const idempotent = isIdempotent(this.#exchange.request.method);
    // A keep-alive socket the upstream closed just as we reused it: not the upstream's fault.
    const stale = failure.reused && !failure.responseStarted && failure.kind === 'closed';
    if (stale && !this.#staleRetried && replayable && idempotent) {
      this.#staleRetried = true;
      this.#fresh = true;
      peer.stats.failed(UpstreamFailureSlot.Stale);
      peer.stats.retries++;
      runtime.logger.debug(
        `Upstream ${peer.label}: reused connection was closed; retrying on a new one`,
      );
      this.#attempt();
      return;
    }
    (this.#tried ??= []).push(peer);
    const retryable =
      replayable && (failure.nothingSent || (idempotent && !failure.responseStarted));
    const more = retryable && this.#tried.length <= runtime.options.retries;
    runtime.logger.warning(
      `Upstream ${peer.label} failed for ${this.#describe()}: ${failure.kind}: ${failure.message}` +
        (more ? '; trying another upstream' : ''),
    );
    runtime.group.recordFailure(peer);
    peer.stats.failed(failure.slot);
    if (more) {
      peer.stats.retries++;
      this.#staleRetried = false;
      this.#attempt();
    } else {
      this.#fail(failure.status);
    }
  }

  #fail(status: 502 | 503 | 504): void {
    if (!this.#exchange.headSent) sendProxyError(this.#exchange, status);
    this.#finish();
  }

  /** The in-flight count of the current peer goes down once per attempt. */
  #release(): void {
    const peer = this.#peer;
    if (peer !== null && this.#attempts > 0) peer.active--;
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#exchange.watchClose(null);
    const body = this.#body;
    if (body !== null) {
      const listeners = this.#bodyListeners;
      if (listeners !== null) {
        body.off('data', listeners.data);
        body.off('end', listeners.end);
        body.off('error', listeners.error);
      }
    }
  }

  #describe(): string {
    const request = this.#exchange.request;
    return `${request.method} ${request.target}`;
  }
}
