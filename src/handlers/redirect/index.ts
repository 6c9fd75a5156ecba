// The `redirect` handler: a status and Location, optionally keeping the path below the route and the query.
import type { Exchange, Handler } from '../../http/exchange.js';

export interface RedirectOptions {
  readonly to: string;
  readonly status: 301 | 302 | 303 | 307 | 308;
  /** Append the path below the route prefix and the query to `to`. */
  readonly keepPath: boolean;
}

class RedirectHandler implements Handler {
  readonly #options: RedirectOptions;
  readonly #fixed: readonly string[];
  readonly #base: string;

  constructor(options: RedirectOptions) {
    this.#options = options;
    this.#fixed = ['Location', options.to, 'Content-Type', 'text/plain; charset=utf-8'];
    this.#base = options.to.endsWith('/') ? options.to.slice(0, -1) : options.to;
  }

  handle(exchange: Exchange): void {
    const { status, keepPath } = this.#options;
    if (!keepPath) {
      exchange.send(status, this.#fixed, `Redirecting to ${this.#options.to}\n`);
      return;
    }
    const prefix = exchange.routePath === '/' ? '' : exchange.routePath.replace(/\/$/, '');
    const rest = exchange.path.slice(prefix.length);
    const location =
      this.#base + (rest.startsWith('/') ? rest : `/${rest}`) + exchange.request.query;
    exchange.send(
      status,
      ['Location', location, 'Content-Type', 'text/plain; charset=utf-8'],
      `Redirecting to ${location}\n`,
    );
  }
}

export function createRedirectHandler(options: RedirectOptions): Handler {
  return new RedirectHandler(options);
}
