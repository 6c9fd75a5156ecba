// A peer's health: passive (N failures within a window take it out for a while) and active (probe results with rise/fall).

export interface PassiveHealthOptions {
  /** Failures within `failWindowMs` that take a peer out; 0 turns passive health off. */
  readonly maxFails: number;
  /** The window failures are counted in, and how long a failed peer then stays out (nginx's fail_timeout). */
  readonly failTimeoutMs: number;
}

export interface ActiveHealthOptions {
  /** Consecutive good probes that bring a peer back. */
  readonly passes: number;
  /** Consecutive bad probes that take a peer out. */
  readonly fails: number;
}

/** What changed when a result was recorded, so the caller can log the transition once. */
export const enum HealthChange {
  None,
  Down,
  Up,
}

export class PeerHealth {
  readonly #passive: PassiveHealthOptions;
  readonly #active: ActiveHealthOptions;
  #fails = 0;
  #windowStart = 0;
  #downUntil = 0;
  #probeUp = true;
  #probeStreak = 0;

  constructor(passive: PassiveHealthOptions, active: ActiveHealthOptions) {
    this.#passive = passive;
    this.#active = active;
  }

  /** Usable now: the probes say up, and no passive time-out is running. */
  isAvailable(now: number): boolean {
    return this.#probeUp && now >= this.#downUntil;
  }

  /** When a passive time-out ends (0 when none runs). */
  get downUntil(): number {
    return this.#downUntil;
  }

  get probeUp(): boolean {
    return this.#probeUp;
  }

  /** Takes the server-wide view (src/shared/): the state the process owning it decided. */
  apply(downUntil: number, probeUp: boolean): void {
    this.#downUntil = downUntil;
    this.#probeUp = probeUp;
  }

  /** A request or connection to the peer failed (connect error, reset, timeout). */
  recordFailure(now: number): HealthChange {
    const { maxFails, failTimeoutMs } = this.#passive;
    if (maxFails <= 0) return HealthChange.None;
    if (now - this.#windowStart > failTimeoutMs) {
      this.#windowStart = now;
      this.#fails = 0;
    }
    this.#fails++;
    if (this.#fails < maxFails || now < this.#downUntil) return HealthChange.None;
    this.#fails = 0;
    this.#downUntil = now + failTimeoutMs;
    return HealthChange.Down;
  }

  /** A request succeeded: the failure count starts over (nginx does the same). */
  recordSuccess(): void {
    this.#fails = 0;
  }

  /** An active probe's result; reports a transition after `fails` bad or `passes` good in a row. */
  recordProbe(ok: boolean): HealthChange {
    if (ok === this.#probeUp) {
      this.#probeStreak = 0;
      return HealthChange.None;
    }
    this.#probeStreak++;
    if (this.#probeStreak < (ok ? this.#active.passes : this.#active.fails)) {
      return HealthChange.None;
    }
    this.#probeStreak = 0;
    this.#probeUp = ok;
    if (ok) {
      // Back by the probes' word: a passive time-out from before does not hold it out longer.
      this.#downUntil = 0;
      this.#fails = 0;
    }
    return ok ? HealthChange.Up : HealthChange.Down;
  }
}
