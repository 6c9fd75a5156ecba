// Token buckets per client key for one rate limit: refilled by time, least recently seen forgotten first.

interface Bucket {
  tokens: number;
  /** When tokens was last brought up to date, in ms. */
  at: number;
}

export class TokenBuckets {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxClients: number;
  /** An idle bucket is full again after this long, and then the same as no bucket at all. */
  readonly #refillMs: number;
  /** Least recently seen first (a hit moves the client to the end). */
  readonly #buckets = new Map<string, Bucket>();
  #nextSweep = 0;

  constructor(perSecond: number, burst: number, maxClients: number) {
    this.#perMs = perSecond / 1000;
    this.#burst = Math.max(1, burst);
    this.#maxClients = Math.max(1, maxClients);
    this.#refillMs = Math.ceil(this.#burst / this.#perMs);
  }

  /** Clients currently remembered. */
  get clients(): number {
    return this.#buckets.size;
  }

  /**
   * Takes up to `want` tokens of `key`'s bucket and says how many it got. More than one (a lease
   * to a worker) is at most half of what is there, so one worker cannot take all of a client's
   * budget while its next connection lands on another worker.
   */
  take(key: string, want: number, now: number): number {
    const bucket = this.#touch(key, now);
    if (bucket.tokens < 1) return 0;
    const granted = want <= 1 ? 1 : Math.min(want, Math.max(1, Math.floor(bucket.tokens / 2)));
    bucket.tokens -= granted;
    return granted;
  }

  /** Milliseconds until `key` has a whole token again (call after `take` gave nothing). */
  waitMs(key: string): number {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs));
  }

  #touch(key: string, now: number): Bucket {
    if (now >= this.#nextSweep) this.#sweep(now);
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
    return bucket;
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
