// The rate_limit directive: a token bucket per client address (kept server-wide), 429 with Retry-After when it is empty.
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import { type RateLimiter, createLocalSharedState } from '../../shared/shared-state.js';
import type { DirectiveContext } from './directive-context.js';

export interface RateLimitOptions {
  /** Tokens added per second (requests per second in the long run). */
  readonly perSecond: number;
  /** Bucket size: the most requests a client may make at once. */
  readonly burst: number;
  /** Most clients remembered; the least recently seen is forgotten beyond that. */
  readonly maxClients: number;
  /** Clock in ms (tests pass their own). */
  readonly now?: () => number;
}

/** "10r/s", "600r/m", "0.5r/s", "100r/h" to requests per second; NaN if malformed. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*r\/(s|m|h)\s*$/i.exec(text);
  if (match === null) return Number.NaN;
  const count = Number(match[1]);
  const unit = (match[2] as string).toLowerCase();
  const perSecond = unit === 's' ? count : unit === 'm' ? count / 60 : count / 3600;
  return perSecond > 0 ? perSecond : Number.NaN;
}

class RateLimit implements Handler {
  readonly #next: Handler;
  readonly #limiter: RateLimiter;
  readonly #now: () => number;

  constructor(limiter: RateLimiter, now: () => number, next: Handler) {
    this.#next = next;
    this.#limiter = limiter;
    this.#now = now;
  }

  /** Clients currently remembered (for tests). */
  get clients(): number {
    return this.#limiter.clients;
  }

  handle(exchange: Exchange): void | Promise<void> {
    const wait = this.#limiter.take(exchange.remoteAddress, this.#now());
    if (typeof wait === 'number') return this.#decide(exchange, wait);
    // Only when this worker holds no budget for the client and must ask the primary.
    return wait.then((ms) => this.#decide(exchange, ms));
  }

  #decide(exchange: Exchange, waitMs: number): void | Promise<void> {
    if (waitMs === 0) return this.#next.handle(exchange);
    if (exchange.closed) return;
    // RFC 6585 §4 and RFC 9110 §10.2.3: 429 with the seconds until one token is back.
    sendError(exchange, 429, ['Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000)))]);
  }
}

/** Wraps `next` with a per-client request rate limit, server-wide when `context` holds a cluster's state. */
export function createRateLimit(
  options: RateLimitOptions,
  next: Handler,
  context?: DirectiveContext,
): Handler & { readonly clients: number } {
  const routeId = context?.routeId ?? 'route';
  const shared = context?.shared ?? createLocalSharedState({ warn: () => undefined });
  const limiter = shared.rateLimiter({
    id: `rate ${routeId} ${options.perSecond}/s burst ${options.burst}`,
    perSecond: options.perSecond,
    burst: options.burst,
    maxClients: options.maxClients,
  });
  return new RateLimit(limiter, options.now ?? Date.now, next);
}
