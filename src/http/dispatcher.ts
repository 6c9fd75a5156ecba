// Connects a listener's connections to its router: runs handlers, turns failures into 500s, logs access.
import { isPortaError } from '../errors.js';
import type { ConnectionContext, Http1Timeouts } from '../http1/connection.js';
import type { ParserLimits } from '../http1/request-parser.js';
import type { ServerExchange } from '../http1/server-exchange.js';
import type { AccessRecord } from '../log/access-log.js';
import { BAD_PATH, type Router } from './router.js';
import { sendError } from './error-response.js';

/** The logging the dispatcher needs (structural, so tests can pass their own). */
export interface DispatchLogs {
  error(message: string): void;
  readonly debugEnabled: boolean;
  debug(message: string): void;
  /** Access log sink, or null when access logging is off. */
  readonly access: { log(record: AccessRecord): void } | null;
}

export class Dispatcher implements ConnectionContext {
  limits: ParserLimits;
  timeouts: Http1Timeouts;
  readonly debug: ((message: string) => void) | null;
  /** Swapped atomically on reload: new requests see the new routes at once. */
  router: Router;
  readonly #logs: DispatchLogs;
  #access: DispatchLogs['access'];

  constructor(router: Router, limits: ParserLimits, timeouts: Http1Timeouts, logs: DispatchLogs) {
    this.router = router;
    this.limits = limits;
    this.timeouts = timeouts;
    this.#logs = logs;
    this.#access = logs.access;
    this.debug = logs.debugEnabled
      ? (message: string) => {
          logs.debug(message);
        }
      : null;
  }

  /** Reload: swaps routes, limits and timeouts; exchanges already running keep their handler. */
  update(
    router: Router,
    limits: ParserLimits,
    timeouts: Http1Timeouts,
    access: DispatchLogs['access'],
  ): void {
    this.#access = access;
    this.router = router;
    this.limits = limits;
    this.timeouts = timeouts;
  }

  dispatch(exchange: ServerExchange): void {
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

  onExchangeDone(exchange: AccessRecord): void {
    this.#access?.log(exchange);
  }

  #fail(exchange: ServerExchange, error: unknown): void {
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
