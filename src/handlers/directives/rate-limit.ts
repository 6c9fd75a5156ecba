// The rate_limit directive: a token bucket per client address, 429 with Retry-After when it is empty.
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';

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

interface Bucket {
  tokens: number;
  /** When tokens was last brought up to date, in ms. */
  at: number;
}

class RateLimit implements Handler {
  readonly #next: Handler;
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  /** An idle bucket is full again after this long, and then the same as no bucket at all. */
  readonly #refillMs: number;
  /** Least recently seen first (a hit moves the client to the end). */
  readonly #buckets = new Map<string, Bucket>();
  #nextSweep = 0;

  constructor(options: RateLimitOptions, next: Handler) {
    this.#next = next;
    this.#perMs = options.perSecond / 1000;
    this.#burst = Math.max(1, options.burst);
    this.#maxClients = Math.max(1, options.maxClients);
    this.#now = options.now ?? Date.now;
    this.#refillMs = Math.ceil(this.#burst / this.#perMs);
  }

  /** Clients currently remembered (for tests). */
  get clients(): number {
    return this.#buckets.size;
  }

  handle(exchange: Exchange): void | Promise<void> {
    const now = this.#now();
    if (now >= this.#nextSweep) this.#sweep(now);
    const key = exchange.remoteAddress;
    const buckets = this.#buckets;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size >= this.#maxClients) this.#forgetOldest();
      bucket = { tokens: this.#burst, at: now };
    } else {
      buckets.delete(key); // re-inserted below: the Map stays in least-recently-seen order
      bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
      bucket.at = now;
    }
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return this.#next.handle(exchange);
    }
    // RFC 6585 §4 and RFC 9110 §10.2.3: 429 with the seconds until one token is back.
    const seconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000));
    sendError(exchange, 429, ['Retry-After', String(seconds)]);
  }

  /** Drops buckets idle long enough to be full: from the front, where the longest idle are. */
  #sweep(now: number): void {
    this.#nextSweep = now + Math.min(60_000, Math.max(1000, this.#refillMs));
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.at < this.#refillMs) break;
      this.#buckets.delete(key);
    }
  }

  #forgetOldest(): void {
    for (const key of this.#buckets.keys()) {
      this.#buckets.delete(key);
      return;
    }
  }
}

/** Wraps `next` with a per-client request rate limit. */
export function createRateLimit(
  options: RateLimitOptions,
  next: Handler,
): Handler & { readonly clients: number } {
  return new RateLimit(options, next);
}
