// The HTTP/1.1 side of a listener: wraps accepted sockets in connections, sweeps deadlines, drains.
import type { Socket } from 'node:net';
import { type ConnectionContext, Http1Connection } from './connection.js';

/** How often deadlines are checked; timeouts are whole seconds, like nginx's coarse timers. */
const SWEEP_MS = 500;

export class Http1Server {
  readonly #context: ConnectionContext;
  readonly #connections = new Set<Http1Connection>();
  readonly #onClosed = (connection: Http1Connection): void => {
    this.#connections.delete(connection);
    if (this.#connections.size === 0) this.#maybeStopSweeper();
  };
  #sweeper: NodeJS.Timeout | null = null;
  #drained: (() => void) | null = null;

  constructor(context: ConnectionContext) {
    this.#context = context;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Takes an accepted socket (the listener has already attached an error handler) and its peer
   * address as porta shows it (IPv4 peers of a dual-stack socket unmapped, once per connection).
   */
  accept(socket: Socket, remoteAddress: string): void {
    const connection = new Http1Connection(socket, remoteAddress, this.#context, this.#onClosed);
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
