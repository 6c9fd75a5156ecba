// The open connections of one listener, whatever their protocol: one deadline sweeper, graceful drain.

/** What every engine's connection offers the set (HTTP/1.1 and HTTP/2 alike). */
export interface EngineConnection {
  /** Enforces the connection's deadlines (timeouts); called about twice a second. */
  checkDeadlines(now: number): void;
  /** Graceful shutdown: finish what is in flight, take nothing new (idle ones may get a grace). */
  shutdown(idleGraceMs: number): void;
  /** Drops the connection now (the shutdown deadline passed). */
  destroy(): void;
}

/** How often deadlines are checked; timeouts are whole seconds, like nginx's coarse timers. */
const SWEEP_MS = 500;

export class ConnectionSet {
  readonly #connections = new Set<EngineConnection>();
  #sweeper: NodeJS.Timeout | null = null;
  #drained: (() => void) | null = null;
  /** Handed to each connection: it calls this once when it has closed. */
  readonly onClosed = (connection: EngineConnection): void => {
    this.#connections.delete(connection);
    if (this.#connections.size === 0) this.#onEmpty();
  };

  get size(): number {
    return this.#connections.size;
  }

  add(connection: EngineConnection): void {
    this.#connections.add(connection);
    if (this.#sweeper === null) {
      this.#sweeper = setInterval(() => {
        this.#sweep();
      }, SWEEP_MS);
      this.#sweeper.unref();
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const connection of this.#connections) connection.checkDeadlines(now);
  }

  #onEmpty(): void {
    if (this.#sweeper !== null) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
    const drained = this.#drained;
    if (drained !== null) {
      this.#drained = null;
      drained();
    }
  }

  /**
   * Graceful shutdown: idle connections close now, busy ones after their responses; resolves
   * when all are closed or at the deadline, when the rest are destroyed.
   */
  async shutdown(deadlineMs: number, idleGraceMs = 0): Promise<void> {
    for (const connection of this.#connections) connection.shutdown(idleGraceMs);
    if (this.#connections.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const connection of this.#connections) connection.destroy();
        resolve();
      }, deadlineMs);
      timer.unref();
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
