// Collapses a burst of the same event into at most one log line per interval (refused connections, EMFILE).

/**
 * Calls `flush` at most once per `intervalMs`: the first event after a quiet interval flushes at
 * once, later ones within the interval are left for one flush at its end. The caller counts its
 * events and resets the counts in `flush`, so one line reports a whole burst ("refused 3,912").
 */
export class ThrottledLog {
  readonly #intervalMs: number;
  readonly #flush: () => void;
  #lastFlush = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;

  constructor(intervalMs: number, flush: () => void) {
    this.#intervalMs = intervalMs;
    this.#flush = flush;
  }

  /** An event happened (after the caller counted it). */
  note(): void {
    if (this.#timer !== null) return;
    const wait = this.#lastFlush + this.#intervalMs - Date.now();
    if (wait <= 0) {
      this.#run();
      return;
    }
    // Unref'd: a pending summary line never keeps the process alive on its own.
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#run();
    }, wait).unref();
  }

  #run(): void {
    this.#lastFlush = Date.now();
    this.#flush();
  }
}
