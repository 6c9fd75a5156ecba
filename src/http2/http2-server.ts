// The HTTP/2 side of a listener: runs a node:http2 session on each socket handed to it.
import type { Socket } from 'node:net';
import type { ConnectionSet } from '../http/connection-set.js';
import { type Http2Context, Http2Connection } from './connection.js';

export class Http2Server {
  readonly #context: Http2Context;
  readonly #connections: ConnectionSet;

  /** `connections` is the listener's set, shared with HTTP/1.1, so one drain covers both. */
  constructor(context: Http2Context, connections: ConnectionSet) {
    this.#context = context;
    this.#connections = connections;
  }

  /**
   * Takes an accepted socket (an error handler attached; the connection reads its peer when
   * asked): cleartext after the h2c preface was seen (bytes already read are unshifted), or TLS
   * after ALPN chose "h2". False when the connection cap refused it (the socket is closed).
   */
  accept(socket: Socket): boolean {
    const connections = this.#connections;
    if (!connections.admit(socket)) return false;
    connections.add(new Http2Connection(socket, this.#context, connections.onClosed));
    return true;
  }
}
