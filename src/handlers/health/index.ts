// The `health` handler: readiness on a public route (200, then 503 from the moment a graceful stop begins).
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import { PreparedResponse } from '../../http/prepared-response.js';
import { ALWAYS_READY, type Readiness } from '../../http/readiness.js';

/** `health: {}` takes no options yet; the type keeps the registry's shape. */
export type HealthOptions = Readonly<Record<string, never>>;

const FIELDS = ['Content-Type', 'text/plain; charset=utf-8', 'Cache-Control', 'no-store'];
const READY = new PreparedResponse(200, FIELDS, Buffer.from('ready\n'));
const NOT_READY = new PreparedResponse(503, FIELDS, Buffer.from('not ready\n'));

/** 200 while serving; 503 from the moment a graceful stop begins (load balancers stop sending). */
export function sendReadiness(exchange: Exchange, ready: boolean): void {
  exchange.sendPrepared(ready ? READY : NOT_READY);
}

class HealthHandler implements Handler {
  readonly #readiness: Readiness;

  constructor(readiness: Readiness) {
    this.#readiness = readiness;
  }

  handle(exchange: Exchange): void {
    const method = exchange.request.method;
    if (method !== 'GET' && method !== 'HEAD') {
      sendError(exchange, 405, ['Allow', 'GET, HEAD']);
      return;
    }
    sendReadiness(exchange, this.#readiness.ready);
  }
}

/** Without a readiness (a plan only checked, never served): always ready. */
export function createHealthHandler(readiness: Readiness | undefined): Handler {
  return new HealthHandler(readiness ?? ALWAYS_READY);
}
