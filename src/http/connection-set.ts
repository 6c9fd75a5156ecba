// The open connections of one listener, whatever their protocol: the connection cap, one deadline sweeper, graceful drain.
import type { Socket } from 'node:net';
import { DeadlineSweeper } from '../net/deadline-sweeper.js';
import type { ConnectionBudget, ConnectionPool } from './connection-budget.js';

/** What every engine's connection offers the set (HTTP/1.1 and HTTP/2 alike). */
export interface EngineConnection {
  /** Enforces the connection's deadlines (timeouts); called about twice a second. */
  checkDeadlines(now: number): void;
  /** Graceful shutdown: finish what is in flight, take nothing new (idle ones may get a grace). */
  shutdown(idleGraceMs: number): void;
  /** Drops the connection now (the shutdown deadline passed). */
  destroy(): void;
  /** Idle between requests, nothing owed either way: the first kind the connection cap closes. */
  readonly idleKeepAlive: boolean;
  /** When the request head now arriving began (ms), or -1 when none is (slowloris candidates). */
  readonly headStart: number;
}

/** How often deadlines are checked; timeouts are whole seconds, like nginx's coarse timers. */
const SWEEP_MS = 500;

export class ConnectionSet implements ConnectionPool {
  /** In accept order: the first idle one found is the longest-held. */
  readonly #connections = new Set<EngineConnection>();
  readonly #budget: ConnectionBudget | null;
  readonly #sweeper = new DeadlineSweeper(SWEEP_MS, (now) => this.#sweep(now));
  #drained: (() => void) | null = null;
  /** The connection oldestHeadStart found, for closeHead. */
  #oldestHead: EngineConnection | null = null;
  /**
   * Handed to each admitted connection: it calls this when it has closed (more than once is
   * harmless), and its place under the cap is free again.
   */
  readonly onClosed = (connection: EngineConnection): void => {
    if (!this.#connections.delete(connection)) return;
    this.#budget?.release();
    if (this.#connections.size === 0) this.#onEmpty();
  };

  /** `budget` caps the process's connections (shared by its listeners); null: no cap here. */
  constructor(budget: ConnectionBudget | null = null) {
    this.#budget = budget;
    budget?.addPool(this);
  }

  get size(): number {
    return this.#connections.size;
  }

  /** Connections idle between requests (for metrics, at scrape time only). */
  get idleCount(): number {
    let idle = 0;
    for (const connection of this.#connections) if (connection.idleKeepAlive) idle++;
    return idle;
  }

  /**
   * A new connection wants in: true when it may stay (then `add` it, and it counts until
   * `onClosed`); false when the cap refused it, and the socket is closed.
   */
  admit(socket: Socket): boolean {
    if (this.#budget === null || this.#budget.admit(Date.now())) return true;
    socket.destroy();
    return false;
  }

  add(connection: EngineConnection): void {
    this.#connections.add(connection);
    this.#sweeper.watch();
  }

  /** Takes out a connection that never counted (one still being sniffed for its protocol). */
  forget(connection: EngineConnection): void {
    if (this.#connections.delete(connection) && this.#connections.size === 0) this.#onEmpty();
  }

  // ---- ConnectionPool: what the cap may take back (the place is free when these return) ----

  closeIdle(): boolean {
    for (const connection of this.#connections) {
      if (connection.idleKeepAlive) {
        connection.destroy();
        this.onClosed(connection);
        return true;
      }
    }
    return false;
  }

  oldestHeadStart(startedBy: number): number {
    let oldest: EngineConnection | null = null;
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
    if (connection !== null && connection.headStart === start) {
      connection.destroy();
      this.onClosed(connection);
    }
  }

  /** False when no connection is left: the sweeper stops until the next one. */
  #sweep(now: number): boolean {
    for (const connection of this.#connections) connection.checkDeadlines(now);
    return this.#connections.size > 0;
  }

  #onEmpty(): void {
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
    this.#budget?.removePool(this);
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
