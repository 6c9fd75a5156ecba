// The `app` handler: runs a Web-standard fetch handler (Hono, h3, itty-router, `export default { fetch }`)
// on porta's exchanges, in every worker; answers 500 for failures and 504 for an app that never answers.
import { isPortaError } from '../../errors.js';
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import { AppEnv, AppRequest } from './app-request.js';
import { installAppResponse } from './app-response.js';
import { type FetchFunction, loadApp } from './load-app.js';
import { AppSockets } from './websocket.js';
import { writeResponse } from './write-response.js';

/** The app handler's options, resolved. */
export interface AppOptions {
  /** The module, an absolute path. */
  readonly file: string;
  /** Which export holds the app ("default" unless told). */
  readonly exportName: string;
  /** How long the app may take to return its Response (not to stream its body) before 504; 0 = no limit. */
  readonly timeoutMs: number;
}

export interface AppLogger {
  error(message: string): void;
  readonly debugEnabled: boolean;
  debug(message: string): void;
}

/** A handler that needs loading before it serves (the app's module), and frees its timer. */
export interface AppHandler extends Handler {
  load(): Promise<void>;
  close(): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Whether a request body read failed because porta refused or lost the body (413, client gone). */
function isBodyRefusal(error: unknown): boolean {
  return isPortaError(error) && error.code === 'PORTA_CLIENT_ABORTED';
}

/** The app gave up because its signal aborted (the client left): nothing went wrong in it. */
function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

class FetchAppHandler implements AppHandler {
  readonly #options: AppOptions;
  readonly #logger: AppLogger;
  /** Names the route in error lines: "site 0 route 1 (/api)". */
  readonly #route: string;
  #fetch: FetchFunction | null = null;
  #sockets: AppSockets | null = null;
  /** Requests waiting on the app's Response, checked against the timeout by one sweeper. */
  readonly #waiting = new Set<AppRequest>();
  #sweeper: NodeJS.Timeout | null = null;

  constructor(options: AppOptions, logger: AppLogger, route: string) {
    this.#options = options;
    this.#logger = logger;
    this.#route = route;
  }

  async load(): Promise<void> {
    // Before the app's module runs: its `new Response(...)` makes porta's lightweight one.
    installAppResponse();
    const loaded = await loadApp(this.#options.file, this.#options.exportName);
    this.#fetch = loaded.fetch;
    this.#sockets = new AppSockets(loaded.app, this.#logger, this.#route);
  }

  async handle(exchange: Exchange): Promise<void> {
    const fetch = this.#fetch;
    const sockets = this.#sockets;
    if (fetch === null || sockets === null)
      throw new Error(`app ${this.#options.file} is not loaded`);
    const secure = exchange.secure;
    const request = new AppRequest(exchange, secure, Date.now());
    const upgrade = exchange.request.upgrade !== '';
    if (upgrade && sockets.takesEarly(exchange)) return sockets.takeEarly(exchange, request);
    let response: unknown;
    this.#wait(request);
    try {
      // The lazy request stands in for a Request (its prototype is Request.prototype).
      response = fetch(request as unknown as Request, new AppEnv(exchange, secure));
      // An app that answers at once (no async middleware) costs no wait.
      if (isThenable(response)) response = await response;
    } catch (error) {
      this.#waiting.delete(request);
      // A head sent already is the engine's answer (413 for a body over the limit).
      if (!request.timedOut) this.#fail(exchange, error, exchange.headSent);
      return;
    }
    this.#waiting.delete(request);
    try {
      const writing = this.#answer(exchange, request, response, upgrade ? sockets : null);
      if (writing !== undefined) await writing;
    } catch (error) {
      this.#fail(exchange, error, false);
    }
  }

  /**
   * Writes the app's answer, or opens the WebSocket its hooks ask for (`sockets`: an upgrade
   * request); a promise while a streamed body is still going out.
   */
  #answer(
    exchange: Exchange,
    request: AppRequest,
    response: unknown,
    sockets: AppSockets | null,
  ): Promise<void> | undefined {
    if (!(response instanceof Response)) {
      if (!request.timedOut) {
        const type = response === null ? 'null' : typeof response;
        this.#fail(exchange, new TypeError(`fetch returned ${type}, not a Response`), false);
      }
      return undefined;
    }
    if (request.timedOut || exchange.headSent || exchange.closed) {
      // Answered already (504, or 413 for a body over the limit), or nobody to answer.
      void response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    const hooks = sockets?.hooksIn(exchange, request, response) ?? null;
    if (sockets !== null && hooks !== null) {
      void response.body?.cancel().catch(() => undefined);
      return sockets.open(exchange, request, hooks);
    }
    // Undefined when the body went whole (most answers): no promise to wait on.
    return writeResponse(exchange, response, request);
  }

  close(): void {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    this.#sockets?.close();
  }

  #wait(request: AppRequest): void {
    if (this.#options.timeoutMs <= 0) return;
    this.#waiting.add(request);
    if (this.#sweeper === null) {
      // One timer per handler, not one per request: the timeout is checked to within a quarter.
      const every = Math.max(25, Math.min(1000, Math.floor(this.#options.timeoutMs / 4)));
      this.#sweeper = setInterval(() => {
        this.#sweep();
      }, every);
      this.#sweeper.unref();
    }
  }

  #sweep(): void {
    const oldest = Date.now() - this.#options.timeoutMs;
    for (const request of this.#waiting) {
      if (request.startedAt > oldest) continue;
      this.#waiting.delete(request);
      request.timedOut = true;
      request.abort(new DOMException('porta: the app did not answer in time', 'TimeoutError'));
      const exchange = request.portaExchange;
      this.#logger.error(
        `App timed out after ${this.#options.timeoutMs} ms on ${this.#route} for ` +
          `${exchange.request.method} ${exchange.request.target}: answered 504`,
      );
      if (!exchange.headSent && !exchange.closed) sendError(exchange, 504);
    }
  }

  #fail(exchange: Exchange, error: unknown, engineAnswered: boolean): void {
    const what = `${exchange.request.method} ${exchange.request.target}`;
    if (engineAnswered || isBodyRefusal(error) || (exchange.closed && isAbort(error))) {
      // The client left mid-body, or the engine refused it: nothing of the app's to report.
      if (this.#logger.debugEnabled) {
        this.#logger.debug(`App on ${this.#route}, ${what}: ${describe(error)}`);
      }
      if (!exchange.headSent && !exchange.closed) sendError(exchange, 500);
      return;
    }
    // The stack goes to the error log, never to the client.
    this.#logger.error(`App failed on ${this.#route} for ${what}: ${describe(error)}`);
    if (exchange.closed) return;
    if (exchange.headSent) exchange.abort(error instanceof Error ? error : undefined);
    else sendError(exchange, 500);
  }
}

export function createAppHandler(
  options: AppOptions,
  logger: AppLogger,
  route: string,
): AppHandler {
  return new FetchAppHandler(options, logger, route);
}
