// One coarse timer that checks a collection's deadlines: started when something is watched, stopped when nothing is left.

/**
 * Checks many deadlines with one unref'd interval instead of a timer per connection, request or
 * session (nginx's coarse timers do the same). The owner calls `watch()` whenever it adds
 * something with a deadline; `sweep(now)` checks them all and returns false once nothing is left
 * to watch, which stops the timer until the next `watch()`. Stopping on a tick, not at the moment
 * the collection empties, spares a busy server a clearInterval/setInterval pair whenever its
 * last connection closes between two new ones.
 */
export class DeadlineSweeper {
  readonly #everyMs: number;
  readonly #sweep: (now: number) => boolean;
  #timer: NodeJS.Timeout | null = null;

  constructor(everyMs: number, sweep: (now: number) => boolean) {
    this.#everyMs = everyMs;
    this.#sweep = sweep;
  }

  /** Something with a deadline was added: the timer runs (it never keeps the process alive). */
  watch(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(this.#tick, this.#everyMs);
    this.#timer.unref();
  }

  /** Stops checking (the owner closes); a later `watch()` starts again. */
  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }

  readonly #tick = (): void => {
    if (!this.#sweep(Date.now())) this.stop();
  };
}
