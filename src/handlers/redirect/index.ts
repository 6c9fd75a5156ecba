// The `redirect` handler: a status and Location, optionally keeping the path below the route and the query.
import type { Exchange, Handler } from '../../http/exchange.js';

export interface RedirectOptions {
  readonly to: string;
  readonly status: 301 | 302 | 303 | 307 | 308;
  /** Append the path below the route prefix and the query to `to`. */
  readonly keepPath: boolean;
  /**
   * HTTP to HTTPS: ignore `to` and send the client to https on this port with the request's
   * own host, path and query (a site's `tls.redirect_from` listener).
   */
  readonly httpsPort?: number;
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
    const { status, keepPath, httpsPort } = this.#options;
    if (httpsPort !== undefined) {
      this.#toHttps(exchange, status, httpsPort);
      return;
    }
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

  #toHttps(exchange: Exchange, status: RedirectOptions['status'], port: number): void {
    const host = hostWithoutPort(exchange.request.host);
    if (host === '') {
      // HTTP/1.0 without Host: nowhere to send the client.
      exchange.send(400, ['Content-Type', 'text/plain; charset=utf-8'], 'Use https://\n');
      return;
    }
    const origin = port === 443 ? `https://${host}` : `https://${host}:${port}`;
    const location = origin + exchange.path + exchange.request.query;
    exchange.send(
      status,
      ['Location', location, 'Content-Type', 'text/plain; charset=utf-8'],
      `Redirecting to ${location}\n`,
    );
  }
}

/** "example.com:80" -> "example.com", "[::1]:80" -> "[::1]" (RFC 9110 §7.2 Host = uri-host [":" port]). */
function hostWithoutPort(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon === -1 || host.endsWith(']')) return host;
  return host.slice(0, colon);
}

export function createRedirectHandler(options: RedirectOptions): Handler {
  return new RedirectHandler(options);
}
