// Connects a listener's connections to its router: runs handlers, turns failures into 500s, logs access.
import { isPortaError } from '../errors.js';
import type { AccessRecord } from '../log/access-log.js';
import type { Exchange } from './exchange.js';
import type { ConnectionTimeouts, Http2Limits, RequestLimits } from './limits.js';
import { BAD_PATH, type Router } from './router.js';
import { sendError } from './error-response.js';

/** An engine's exchange (HTTP/1.1 or HTTP/2): what handlers see, what the router sets, what the log reads. */
export interface EngineExchange extends Exchange, AccessRecord {
  path: string;
  routePath: string;
  readonly remoteAddress: string;
  /** A handler threw or rejected: 500 if nothing was sent yet, else the exchange is cut. */
  fail(): void;
}

/** The logging the dispatcher needs (structural, so tests can pass their own). */
export interface DispatchLogs {
  error(message: string): void;
  readonly debugEnabled: boolean;
  debug(message: string): void;
  /** Access log sink, or null when access logging is off. */
  readonly access: { log(record: AccessRecord): void } | null;
}

/** One per listener; every engine's connections share it (it is their context: limits, timeouts, dispatch). */
/** What a listener's engines enforce, from the plan; swapped whole on reload. */
export interface EngineSettings {
  readonly limits: RequestLimits;
  readonly timeouts: ConnectionTimeouts;
  readonly http2: Http2Limits;
}

export class Dispatcher {
  limits: RequestLimits;
  timeouts: ConnectionTimeouts;
  http2: Http2Limits;
  readonly debug: ((message: string) => void) | null;
  /** Swapped atomically on reload: new requests see the new routes at once. */
  router: Router;
  readonly #logs: DispatchLogs;
  #access: DispatchLogs['access'];

  constructor(router: Router, settings: EngineSettings, logs: DispatchLogs) {
    this.router = router;
    this.limits = settings.limits;
    this.timeouts = settings.timeouts;
    this.http2 = settings.http2;
    this.#logs = logs;
    this.#access = logs.access;
    this.debug = logs.debugEnabled
      ? (message: string) => {
          logs.debug(message);
        }
      : null;
  }

  /** Reload: swaps routes, limits and timeouts; exchanges already running keep their handler. */
  update(router: Router, settings: EngineSettings, access: DispatchLogs['access']): void {
    this.#access = access;
    this.router = router;
    this.limits = settings.limits;
    this.timeouts = settings.timeouts;
    this.http2 = settings.http2;
  }

  dispatch(exchange: EngineExchange): void {
    // RFC 9110 §15.6.2: porta is no forward proxy; CONNECT is not implemented for any resource.
    if (exchange.request.method === 'CONNECT') {
      sendError(exchange, 501);
      return;
    }
    const handler = this.router.route(exchange);
    if (handler === null || handler === BAD_PATH) {
      sendError(exchange, handler === null ? 404 : 400);
      return;
    }
    try {
      const pending = handler.handle(exchange);
      if (pending !== undefined) {
        pending.catch((error: unknown) => {
          this.#fail(exchange, error);
        });
      }
    } catch (error) {
      this.#fail(exchange, error);
    }
  }

  get logsAccess(): boolean {
    return this.#access !== null;
  }

  onExchangeDone(exchange: AccessRecord): void {
    this.#access?.log(exchange);
  }

  #fail(exchange: EngineExchange, error: unknown): void {
    if (isPortaError(error) && error.code === 'PORTA_CLIENT_ABORTED') {
      // The client broke off its body; the connection has answered or closed already.
      this.debug?.(`${exchange.request.method} ${exchange.request.target}: ${error.message}`);
      return;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#logs.error(
      `Handler failed for ${exchange.request.method} ${exchange.request.target}: ${detail}`,
    );
    exchange.fail();
  }
}
