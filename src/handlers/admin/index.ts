// The admin listener's one handler: /healthz, /readyz, chosen by exact path.
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import type { AdminSource } from './source.js';

export type { AdminSource } from './source.js';

const TEXT = ['Content-Type', 'text/plain; charset=utf-8', 'Cache-Control', 'no-store'];

class AdminHandler implements Handler {
  readonly #source: AdminSource;

  constructor(source: AdminSource) {
    this.#source = source;
  }

  handle(exchange: Exchange): void {
    const method = exchange.request.method;
    if (method !== 'GET' && method !== 'HEAD') {
      sendError(exchange, 405, ['Allow', 'GET, HEAD']);
      return;
    }
    switch (exchange.path) {
      case '/healthz':
        // Alive: this process answers (a stuck event loop would not).
        exchange.send(200, TEXT, 'ok\n');
        return;
      case '/readyz':
        sendReadiness(exchange, this.#source.ready());
        return;
      default:
        sendError(exchange, 404);
    }
  }
}

/** 200 while serving; 503 from the moment a graceful stop begins (load balancers stop sending). */
export function sendReadiness(exchange: Exchange, ready: boolean): void {
  if (ready) exchange.send(200, TEXT, 'ready\n');
  else exchange.send(503, TEXT, 'not ready\n');
}

export function createAdminHandler(source: AdminSource): Handler {
  return new AdminHandler(source);
}
