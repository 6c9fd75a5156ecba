// The HTTP/1.1 side of a listener: wraps accepted sockets in connections kept in the listener's set.
import type { Socket } from 'node:net';
import { ConnectionSet } from '../http/connection-set.js';
import { type ConnectionContext, Http1Connection } from './connection.js';

export class Http1Server {
  readonly #context: ConnectionContext;
  readonly #connections: ConnectionSet;

  /**
   * `connections` is shared with the listener's other engines (HTTP/2) so one drain covers all;
   * it holds the process's connection cap.
   */
  constructor(context: ConnectionContext, connections: ConnectionSet = new ConnectionSet()) {
    this.#context = context;
    this.#connections = connections;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Takes an accepted socket (the listener has already attached an error handler); false when
   * the connection cap refused it (the socket is closed then).
   */
  accept(socket: Socket): boolean {
    const connections = this.#connections;
    if (!connections.admit(socket)) return false;
    connections.add(new Http1Connection(socket, this.#context, connections.onClosed));
    return true;
  }

  /** Graceful shutdown of this engine's connections (see ConnectionSet.shutdown). */
  shutdown(deadlineMs: number, idleGraceMs = 0): Promise<void> {
    return this.#connections.shutdown(deadlineMs, idleGraceMs);
  }
}
