// The cap on open HTTP connections of one process, shared by its listeners: reclaims before it refuses.

/** What the budget can take back from a listener when it is full (a listener's ConnectionSet). */
export interface ConnectionPool {
  /** Closes one idle keep-alive connection (the longest-held first); false when there is none. */
  closeIdle(): boolean;
  /** The start (ms) of the oldest request head still arriving, begun by `startedBy`; -1 if none. */
  oldestHeadStart(startedBy: number): number;
  /** Closes the connection whose head started at `start` (from oldestHeadStart). */
  closeHead(start: number): void;
}

/** What happened at the cap since the last report. */
export interface CapCounts {
  readonly limit: number;
  readonly refused: number;
  readonly closedIdle: number;
  readonly closedSlow: number;
}

/**
 * A head must have been arriving this long before a newcomer may take its place: a burst of
 * honest clients all mid-request is not churned, while slowloris heads (seconds old) are.
 */
const MIN_HEAD_AGE_MS = 1000;

/**
 * Counts the process's open HTTP connections against its limit. At the limit a newcomer gets
 * the place of an idle keep-alive connection (nginx reuses those too), else of the connection
 * whose request head has been arriving longest (slowloris), else it is refused. `onCap` is
 * told after every such event; the runtime turns the counts into a rate-limited warning.
 */
export class ConnectionBudget {
  #limit: number;
  #open = 0;
  readonly #pools = new Set<ConnectionPool>();
  readonly #onCap: () => void;
  #refused = 0;
  #closedIdle = 0;
  #closedSlow = 0;

  constructor(limit: number, onCap: () => void) {
    this.#limit = limit;
    this.#onCap = onCap;
  }

  get open(): number {
    return this.#open;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Reload: applies to the next newcomer; connections over a lowered limit are left to end. */
  set limit(limit: number) {
    this.#limit = limit;
  }

  addPool(pool: ConnectionPool): void {
    this.#pools.add(pool);
  }

  removePool(pool: ConnectionPool): void {
    this.#pools.delete(pool);
  }

  /** A new connection wants in: true when it may stay (it counts as open until `release`). */
  admit(now: number): boolean {
    if (this.#open >= this.#limit && !this.#makeRoom(now)) {
      this.#refused++;
      this.#onCap();
      return false;
    }
    this.#open++;
    return true;
  }

  /** An admitted connection has closed. */
  release(): void {
    this.#open--;
  }

  /** Returns the counts since the last call and starts new ones. */
  takeCounts(): CapCounts {
    const counts = {
      limit: this.#limit,
      refused: this.#refused,
      closedIdle: this.#closedIdle,
      closedSlow: this.#closedSlow,
    };
    this.#refused = 0;
    this.#closedIdle = 0;
    this.#closedSlow = 0;
    return counts;
  }

  #makeRoom(now: number): boolean {
    // Closing a connection releases its place at once (its close is handled synchronously).
    for (const pool of this.#pools) {
      if (pool.closeIdle()) {
        this.#closedIdle++;
        this.#onCap();
        return this.#open < this.#limit;
      }
    }
    let oldest: ConnectionPool | null = null;
    let oldestStart = Number.POSITIVE_INFINITY;
    for (const pool of this.#pools) {
      const start = pool.oldestHeadStart(now - MIN_HEAD_AGE_MS);
      if (start >= 0 && start < oldestStart) {
        oldest = pool;
        oldestStart = start;
      }
    }
    if (oldest === null) return false;
    oldest.closeHead(oldestStart);
    this.#closedSlow++;
    this.#onCap();
    return this.#open < this.#limit;
  }
}
