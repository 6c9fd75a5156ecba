// A rate limit kept by another process: tokens leased in batches, refusals remembered, so most requests never wait on IPC.
import type { RateZone, StateTransport } from './state-protocol.js';
import { TokenBuckets } from './token-buckets.js';

/** 0: go ahead; otherwise ms until the client has a token again. A promise only when the store must be asked. */
export type RateDecision = number | Promise<number>;

export interface RateLimiter {
  take(key: string, now: number): RateDecision;
  /** Clients remembered here (bounded by the zone's max_clients). */
  readonly clients: number;
}

/** One process owns the buckets: a direct call per request, as cheap as a local Map. */
export class LocalRateLimiter implements RateLimiter {
  readonly #buckets: TokenBuckets;

  constructor(buckets: TokenBuckets) {
    this.#buckets = buckets;
  }

  get clients(): number {
    return this.#buckets.clients;
  }

  take(key: string, now: number): number {
    return this.#buckets.take(key, 1, now) === 1 ? 0 : this.#buckets.waitMs(key);
  }
}

/** Tokens asked for at once; the server gives at most half of what the bucket holds. */
const LEASE_WANT = 256;
/**
 * A lease of at least this many is topped up ahead, when a quarter is left, so a busy client's
 * requests never wait for the primary; smaller ones (tight limits) are asked for when empty.
 */
const PREFETCH_FROM = 8;
/**
 * Leased tokens unused this long after their last grant are dropped, so an old lease never adds
 * to a later burst: the server never lets through more than the bucket gave out within it.
 */
export const LEASE_MS = 1000;
/** After the store failed to answer, decide here for this long before asking again. */
const FALLBACK_MS = 5000;

interface Lease {
  tokens: number;
  /** The tokens may be spent until then. */
  until: number;
  /** The store said no: refuse locally until then, without asking. */
  refusedUntil: number;
  /** Ask for more, ahead, when tokens fall to this (-1: only when empty). */
  lowWater: number;
  /** An ask in flight for this client: later requests wait for it, then look again. */
  pending: Promise<void> | null;
}

export class LeasedRateLimiter implements RateLimiter {
  readonly #zone: RateZone;
  readonly #transport: StateTransport;
  readonly #onFallback: (error: unknown) => void;
  readonly #leases = new Map<string, Lease>();
  /** Decides when the store cannot answer (the primary is gone or stuck): per-process limits. */
  #fallback: TokenBuckets | null = null;
  #fallbackUntil = 0;

  constructor(zone: RateZone, transport: StateTransport, onFallback: (error: unknown) => void) {
    this.#zone = zone;
    this.#transport = transport;
    this.#onFallback = onFallback;
  }

  get clients(): number {
    return this.#leases.size;
  }

  take(key: string, now: number): RateDecision {
    const lease = this.#leases.get(key);
    if (lease !== undefined) {
      if (lease.tokens > 0 && now < lease.until) {
        lease.tokens--;
        if (lease.tokens <= lease.lowWater && lease.pending === null) {
          void this.#ask(key, lease, false);
        }
        return 0;
      }
      if (now < lease.refusedUntil) return lease.refusedUntil - now;
      if (lease.pending !== null) return lease.pending.then(() => this.take(key, Date.now()));
    }
    if (now < this.#fallbackUntil) return this.#decideHere(key, now);
    return this.#ask(key, lease, true);
  }

  /** The per-process bucket, for when the store cannot answer. */
  #decideHere(key: string, now: number): number {
    this.#fallback ??= new TokenBuckets(
      this.#zone.perSecond,
      this.#zone.burst,
      this.#zone.maxClients,
    );
    return this.#fallback.take(key, 1, now) === 1 ? 0 : this.#fallback.waitMs(key);
  }

  /** Asks the store for tokens; `consume`: for the request waiting now (else a top-up ahead). */
  async #ask(key: string, known: Lease | undefined, consume: boolean): Promise<number> {
    let lease = known;
    if (lease === undefined) {
      if (this.#leases.size >= this.#zone.maxClients) this.#forgetIdle(Date.now());
      lease = { tokens: 0, until: 0, refusedUntil: 0, lowWater: -1, pending: null };
      this.#leases.set(key, lease);
    }
    let settle = (): void => undefined;
    lease.pending = new Promise((resolve) => {
      settle = resolve;
    });
    try {
      const reply = await this.#transport.ask({
        kind: 'rate-take',
        zone: this.#zone,
        key,
        want: LEASE_WANT,
      });
      const now = Date.now();
      const left = now < lease.until ? lease.tokens : 0;
      if (reply.granted === 0) {
        lease.tokens = left; // a top-up refused: what is left may still be spent
        lease.lowWater = -1;
        lease.refusedUntil = now + reply.retryMs;
        return reply.retryMs;
      }
      lease.tokens = left + reply.granted - (consume ? 1 : 0);
      lease.lowWater = reply.granted >= PREFETCH_FROM ? Math.floor(reply.granted / 4) : -1;
      lease.until = now + LEASE_MS;
      return 0;
    } catch (error) {
      this.#onFallback(error);
      const now = Date.now();
      this.#fallbackUntil = now + FALLBACK_MS;
      return consume ? this.#decideHere(key, now) : 0;
    } finally {
      lease.pending = null;
      settle();
    }
  }

  /** Drops leases that hold nothing any more; if still full, the oldest. */
  #forgetIdle(now: number): void {
    for (const [key, lease] of this.#leases) {
      if (lease.pending === null && now >= lease.until && now >= lease.refusedUntil) {
        this.#leases.delete(key);
      }
    }
    for (const [key, lease] of this.#leases) {
      if (this.#leases.size < this.#zone.maxClients) break;
      if (lease.pending === null) this.#leases.delete(key);
    }
  }
}
