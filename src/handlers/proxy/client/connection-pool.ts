// Idle keep-alive connections to one upstream address, reused most-recent first, closed before the upstream would.
import { type ConnectionHome, UpstreamConnection } from './upstream-connection.js';
import type { PeerTls, UpstreamTls } from './upstream-tls.js';

/** Settings every pool of a proxy handler shares. */
export interface PoolSettings {
  readonly connectTimeoutMs: number;
  readonly headerTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** How long an idle connection is kept: shorter than the backends' own keep-alive timeout. */
  readonly keepAliveMs: number;
  /** Most idle connections kept per address; more are closed. */
  readonly maxIdle: number;
  readonly maxHeaderSize: number;
  /** https upstreams: the handler's TLS settings; null for http. */
  readonly tls: UpstreamTls | null;
}

/** Every live connection of a handler, so one timer can enforce all deadlines. */
export interface ConnectionRegistry {
  add(connection: UpstreamConnection): void;
  delete(connection: UpstreamConnection): void;
}

export class ConnectionPool implements ConnectionHome {
  readonly connectTimeoutMs: number;
  readonly headerTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly #host: string;
  readonly #port: number;
  readonly #settings: PoolSettings;
  readonly #registry: ConnectionRegistry;
  /** How connections to this address speak TLS, or null for cleartext. */
  readonly tls: PeerTls | null;
  /** The last TLS session the upstream gave us: a new connection resumes it (a shorter handshake). */
  #session: Buffer | null = null;
  /** A stack: the most recently used connection is the most likely still open upstream. */
  readonly #idle: UpstreamConnection[] = [];
  #retired = false;

  /** `address` is where to connect; `name` the host as configured (the TLS name when it is a DNS name). */
  constructor(
    address: string,
    port: number,
    settings: PoolSettings,
    registry: ConnectionRegistry,
    name: string = address,
  ) {
    this.#host = address;
    this.tls = settings.tls === null ? null : settings.tls.forHost(name);
    this.#port = port;
    this.#settings = settings;
    this.#registry = registry;
    this.connectTimeoutMs = settings.connectTimeoutMs;
    this.headerTimeoutMs = settings.headerTimeoutMs;
    this.idleTimeoutMs = settings.idleTimeoutMs;
    this.maxHeaderSize = settings.maxHeaderSize;
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  /** An idle connection to reuse, or null. */
  take(): UpstreamConnection | null {
    for (;;) {
      const connection = this.#idle.pop();
      if (connection === undefined) return null;
      if (!connection.closed && !connection.socket.destroyed) return connection;
    }
  }

  /** A new connection, connecting now. */
  open(): UpstreamConnection {
    const connection = new UpstreamConnection(
      this,
      this.#host,
      this.#port,
      this.#settings.keepAliveMs,
      this.tls,
      this.#session,
    );
    this.#registry.add(connection);
    return connection;
  }

  /** A TLS connection got a session ticket: later connections offer it. */
  keepSession(session: Buffer): void {
    this.#session = session;
  }

  release(connection: UpstreamConnection): void {
    if (this.#retired || this.#idle.length >= this.#settings.maxIdle) {
      connection.destroy();
      return;
    }
    connection.markPooled(Date.now());
    this.#idle.push(connection);
  }

  forget(connection: UpstreamConnection): void {
    this.#registry.delete(connection);
    const index = this.#idle.lastIndexOf(connection);
    if (index >= 0) this.#idle.splice(index, 1);
  }

  /** Closes the idle connections; with `retire`, later releases close too (the address left). */
  closeIdle(retire = false): void {
    if (retire) this.#retired = true;
    for (const connection of this.#idle.splice(0)) connection.destroy();
  }
}
