// The HTTP/1.1 side of a listener: wraps accepted sockets in connections, sweeps deadlines, drains.
import type { Socket } from 'node:net';
import type { ConnectionBudget, ConnectionPool } from './connection-budget.js';
import { type ConnectionContext, Http1Connection } from './connection.js';

/** How often deadlines are checked; timeouts are whole seconds, like nginx's coarse timers. */
const SWEEP_MS = 500;

export class Http1Server implements ConnectionPool {
  readonly #context: ConnectionContext;
  readonly #budget: ConnectionBudget;
  /** In accept order: the first idle one found is the longest-held. */
  readonly #connections = new Set<Http1Connection>();
  readonly #onClosed = (connection: Http1Connection): void => {
    this.#connections.delete(connection);
    this.#budget.release();
    if (this.#connections.size === 0) this.#maybeStopSweeper();
  };
  #sweeper: NodeJS.Timeout | null = null;
  #drained: (() => void) | null = null;
  /** The connection oldestHeadStart found, for closeHead. */
  #oldestHead: Http1Connection | null = null;

  constructor(context: ConnectionContext, budget: ConnectionBudget) {
    this.#context = context;
    this.#budget = budget;
    budget.addPool(this);
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Takes an accepted socket (the listener has already attached an error handler) and its peer
   * address as porta shows it (IPv4 peers of a dual-stack socket unmapped, once per connection);
   * false when the connection cap refused it (the socket is closed then).
   */
  accept(socket: Socket, remoteAddress: string): boolean {
    if (!this.#budget.admit(Date.now())) {
      socket.destroy();
      return false;
    }
    const connection = new Http1Connection(socket, remoteAddress, this.#context, this.#onClosed);
    this.#connections.add(connection);
    if (this.#sweeper === null) {
      this.#sweeper = setInterval(() => {
        this.#sweep();
      }, SWEEP_MS);
      this.#sweeper.unref();
    }
    return true;
  }

  // ---- ConnectionPool: what the cap may take back ----

  closeIdle(): boolean {
    for (const connection of this.#connections) {
      if (connection.idleKeepAlive) {
        connection.reclaim();
        return true;
      }
    }
    return false;
  }

  oldestHeadStart(startedBy: number): number {
    let oldest: Http1Connection | null = null;
    let oldestStart = startedBy;
    for (const connection of this.#connections) {
      const start = connection.headStart;
      if (start >= 0 && start <= oldestStart) {
        oldest = connection;
        oldestStart = start;
      }
    }
    this.#oldestHead = oldest;
    return oldest === null ? -1 : oldestStart;
  }

  closeHead(start: number): void {
    const connection = this.#oldestHead;
    this.#oldestHead = null;
    if (connection !== null && connection.headStart === start) connection.reclaim();
  }

  #sweep(): void {
    const now = Date.now();
    for (const connection of this.#connections) connection.checkDeadlines(now);
  }

  #maybeStopSweeper(): void {
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
   * Graceful shutdown: idle connections close now, busy ones after their response; resolves when
   * all are closed or at the deadline, when the rest are destroyed.
   */
  async shutdown(deadlineMs: number, idleGraceMs = 0): Promise<void> {
    this.#budget.removePool(this);
    for (const connection of this.#connections) connection.shutdown(idleGraceMs);
    if (this.#connections.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const connection of this.#connections) connection.socket.destroy();
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
