// Failed logins per client address: too many within a window refuse that client (and only it) for a while.
import type { LoginBlock } from './state-protocol.js';

interface Failures {
  count: number;
  windowStart: number;
  /** Refused until this time (0: not refused). */
  until: number;
}

/** Clients remembered at most; beyond that the oldest entry goes (an attacker cannot grow memory). */
const MAX_CLIENTS = 10_000;

export class LoginFailures {
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #clients = new Map<string, Failures>();

  constructor(maxFailures: number, windowMs: number) {
    this.#maxFailures = Math.max(1, maxFailures);
    this.#windowMs = windowMs;
  }

  /** Counts one failure; returns until when the client is refused (0 when it is not). */
  record(key: string, now: number): number {
    let entry = this.#clients.get(key);
    if (entry === undefined) {
      if (this.#clients.size >= MAX_CLIENTS) this.#sweep(now);
      entry = { count: 0, windowStart: now, until: 0 };
      this.#clients.set(key, entry);
    }
    if (entry.until > now) return entry.until;
    if (now - entry.windowStart > this.#windowMs) {
      entry.windowStart = now;
      entry.count = 0;
    }
    entry.count++;
    if (entry.count < this.#maxFailures) return 0;
    entry.count = 0;
    entry.windowStart = now;
    entry.until = now + this.#windowMs;
    return entry.until;
  }

  /** The clients refused now. */
  blocks(now: number): LoginBlock[] {
    const out: LoginBlock[] = [];
    for (const [key, entry] of this.#clients)
      if (entry.until > now) out.push({ key, until: entry.until });
    return out;
  }

  /** Drops what has expired; if still full, the oldest entries. */
  #sweep(now: number): void {
    for (const [key, entry] of this.#clients) {
      if (entry.until <= now && now - entry.windowStart > this.#windowMs) this.#clients.delete(key);
    }
    for (const key of this.#clients.keys()) {
      if (this.#clients.size < MAX_CLIENTS) break;
      this.#clients.delete(key);
    }
  }
}
