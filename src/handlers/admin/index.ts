// The admin listener's one handler: /healthz, /readyz, /metrics, the status page and its JSON, chosen by exact path.
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import { EXPOSITION_CONTENT_TYPE, writeExposition } from '../../metrics/exposition.js';
import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../../build-layout.js';
import { sendReadiness } from '../health/index.js';
import type { AdminSource } from './source.js';
import { statusReport } from './status.js';

/** The status page: one HTML file shipped in the package (assets/), read once. */
const STATUS_PAGE = readFileSync(new URL('assets/status.html', PACKAGE_ROOT));
const HTML = ['Content-Type', 'text/html; charset=utf-8', 'Cache-Control', 'no-store'];
const JSON_TYPE = ['Content-Type', 'application/json', 'Cache-Control', 'no-store'];

export type { AdminSource } from './source.js';

const TEXT = ['Content-Type', 'text/plain; charset=utf-8', 'Cache-Control', 'no-store'];

class AdminHandler implements Handler {
  readonly #source: AdminSource;

  constructor(source: AdminSource) {
    this.#source = source;
  }

  handle(exchange: Exchange): void | Promise<void> {
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
      case '/metrics':
        return this.#sendMetrics(exchange);
      case '/':
        exchange.send(200, HTML, STATUS_PAGE);
        return;
      case '/status.json':
        return this.#sendStatus(exchange);
      default:
        sendError(exchange, 404);
    }
  }

  async #sendStatus(exchange: Exchange): Promise<void> {
    const report = statusReport(await this.#source.metrics(), this.#source.ready());
    if (!exchange.closed) exchange.send(200, JSON_TYPE, JSON.stringify(report));
  }

  async #sendMetrics(exchange: Exchange): Promise<void> {
    const text = writeExposition(await this.#source.metrics());
    if (exchange.closed) return;
    exchange.send(
      200,
      ['Content-Type', EXPOSITION_CONTENT_TYPE, 'Cache-Control', 'no-store'],
      text,
    );
  }
}

export function createAdminHandler(source: AdminSource): Handler {
  return new AdminHandler(source);
}
