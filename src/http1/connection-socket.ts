// The socket side of one HTTP/1.1 connection: its peer, read when asked, and how it ends (closed once flushed, or ended and lingering).
import type { Socket } from 'node:net';
import { socketPeerAddress } from '../http/peer-address.js';
import { ConnectionClock } from './connection-clock.js';

/** After we end our side on an error, how long we keep reading before we destroy the socket. */
const LINGER_MS = 2000;

/**
 * The connection of each socket, for the socket listeners shared by all connections: four
 * closures per connection cost more memory than an idle connection's whole state.
 */
const bySocket = new WeakMap<Socket, ConnectionSocket>();

/**
 * What a connection knows of its socket beyond the bytes, and the socket's events (Http1Connection
 * extends this, as it extends the clock: no second object per connection).
 */
export abstract class ConnectionSocket extends ConnectionClock {
  readonly socket: Socket;
  /**
   * The peer, read when first asked (getpeername costs a system call and two objects, and most
   * connections never need it: no access log, no IP rules), IPv4 peers unmapped; null until then.
   */
  #remoteAddress: string | null = null;
  #remotePort = 0;
  /** No request after the current one: the connection ends when it is answered. */
  #closing = false;
  /** We ended our side (after an error or a last response): input is read and dropped. */
  #lingering = false;
  #closed = false;
  #linger: NodeJS.Timeout | null = null;

  // Socket listeners, shared: `this` is the socket.
  static #onData(this: Socket, chunk: Buffer): void {
    bySocket.get(this)?.onSocketData(chunk);
  }

  static #onDrain(this: Socket): void {
    bySocket.get(this)?.onSocketDrain();
  }

  static #onEnd(this: Socket): void {
    bySocket.get(this)?.onSocketEnd();
  }

  static #onClose(this: Socket): void {
    bySocket.get(this)?.onSocketClose();
  }

  /** Our side is ended and flushed, nothing more is owed: close now (see closeWhenFlushed). */
  static #onFinish(this: Socket): void {
    this.destroy();
  }

  constructor(socket: Socket) {
    super();
    this.socket = socket;
    bySocket.set(socket, this);
    socket.on('data', ConnectionSocket.#onData);
    socket.on('drain', ConnectionSocket.#onDrain);
    socket.on('end', ConnectionSocket.#onEnd);
    socket.on('close', ConnectionSocket.#onClose);
  }

  protected abstract onSocketData(chunk: Buffer): void;
  /** Everything written was taken by the kernel. */
  protected abstract onSocketDrain(): void;
  /** The client sent its FIN. */
  protected abstract onSocketEnd(): void;
  /** Called once per 'close' and may be called first by whoever destroys the socket. */
  protected abstract onSocketClose(): void;

  /** Someone else reads the socket from now on (Upgrade): only 'close' is still ours. */
  protected detachReading(): void {
    const socket = this.socket;
    socket.off('data', ConnectionSocket.#onData);
    socket.off('drain', ConnectionSocket.#onDrain);
    socket.off('end', ConnectionSocket.#onEnd);
    // A flowing socket with no 'data' listener drops bytes: hold them until the new owner reads.
    socket.pause();
  }

  get remoteAddress(): string {
    return this.#remoteAddress ?? this.readPeer();
  }

  get remotePort(): number {
    if (this.#remoteAddress === null) this.readPeer();
    return this.#remotePort;
  }

  /** Reads the peer once; after the socket closed Node no longer knows it ('' and 0 then). */
  protected readPeer(): string {
    const socket = this.socket;
    const address = socketPeerAddress(socket);
    this.#remoteAddress = address;
    this.#remotePort = socket.remotePort ?? 0;
    return address;
  }

  protected get peerKnown(): boolean {
    return this.#remoteAddress !== null;
  }

  get mayKeepAlive(): boolean {
    return !this.#closing;
  }

  protected get closing(): boolean {
    return this.#closing;
  }

  protected markClosing(): void {
    this.#closing = true;
  }

  protected get lingering(): boolean {
    return this.#lingering;
  }

  protected get closed(): boolean {
    return this.#closed;
  }

  /**
   * Ends our side and closes as soon as the FIN is out, as node:http does: no wait for the
   * client's FIN, no timer. Only when nothing more was read: closing with unread input would send
   * a reset that can destroy the response before the client reads it (lingerClose is for that).
   */
  protected closeWhenFlushed(): void {
    this.#closing = true;
    this.#lingering = true;
    this.stopWaiting();
    if (this.#closed) return;
    const socket = this.socket;
    // Everything written is in the kernel already (the usual case: a small response went out in
    // one write): close(2) sends it and then the FIN, as shutdown(2) would, so the shutdown, its
    // request object and the 'finish' round are skipped. Unread input makes either way a reset.
    if (socket.writableFinished || socket.writableLength === 0) {
      socket.destroy();
      return;
    }
    socket.on('finish', ConnectionSocket.#onFinish);
    if (!socket.writableEnded) socket.end();
  }

  /**
   * Ends our side and keeps reading (and dropping) for a while so the client sees our response,
   * not a reset (nginx's lingering close), then destroys the socket.
   */
  protected lingerClose(): void {
    this.#closing = true;
    this.#lingering = true;
    this.stopWaiting();
    if (this.#closed) return;
    const socket = this.socket;
    if (!socket.writableEnded) socket.end();
    socket.resume();
    this.#linger ??= setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }

  /** The socket closed: false when that was known already. */
  protected markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    if (this.#linger !== null) clearTimeout(this.#linger);
    // A WeakMap entry is weak only for a full GC: left in place, it keeps this closed connection
    // (and its socket) through scavenges until it is promoted (BENCHMARKS.md, issue 13).
    bySocket.delete(this.socket);
    return true;
  }
}
