// Picks the protocol of a cleartext connection on an h2c listener: the HTTP/2 preface or HTTP/1.1.
import type { Socket } from 'node:net';
import type { ConnectionSet, EngineConnection } from '../http/connection-set.js';
import { DECISIVE_BYTES, startsLikePreface } from '../http2/preface.js';

/** Where a socket goes once its protocol is known. */
export interface Engines {
  acceptHttp1(socket: Socket): void;
  acceptHttp2(socket: Socket): void;
}

/**
 * A cleartext connection on an h2c listener before its first bytes have told HTTP/2 prior
 * knowledge (RFC 9113 §3.3) from HTTP/1.1. It sits in the listener's set meanwhile, so the
 * header timeout and a shutdown reach it too; the bytes read are put back for the engine.
 */
export class PrefaceSniffer implements EngineConnection {
  readonly #socket: Socket;
  readonly #engines: Engines;
  readonly #set: ConnectionSet;
  readonly #deadline: number;
  #seen: Buffer | null = null;
  #settled = false;
  readonly #onData = (chunk: Buffer): void => {
    const seen = this.#seen === null ? chunk : Buffer.concat([this.#seen, chunk]);
    if (seen.length < DECISIVE_BYTES && startsLikePreface(seen)) {
      this.#seen = seen; // "P", "PR", "PRI": wait for the byte that decides
      return;
    }
    this.#settle(seen, startsLikePreface(seen));
  };
  readonly #onClose = (): void => {
    this.#settle(null, false);
  };

  constructor(socket: Socket, engines: Engines, set: ConnectionSet, headerMs: number) {
    this.#socket = socket;
    this.#engines = engines;
    this.#set = set;
    this.#deadline = Date.now() + headerMs;
    socket.on('data', this.#onData);
    socket.once('close', this.#onClose);
    set.add(this);
  }

  #settle(seen: Buffer | null, http2: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    const socket = this.#socket;
    socket.off('data', this.#onData);
    socket.off('close', this.#onClose);
    this.#set.forget(this);
    if (seen === null) return; // closed before a byte came
    socket.pause();
    socket.unshift(seen);
    // node:http2 reads the unshifted bytes itself and then takes the socket's handle over.
    if (http2) this.#engines.acceptHttp2(socket);
    else {
      this.#engines.acceptHttp1(socket);
      socket.resume(); // an explicit pause() is not undone by the engine's 'data' listener
    }
  }

  /** Not yet a connection of either engine: not counted under the cap, nothing to reclaim. */
  readonly idleKeepAlive = false;
  readonly headStart = -1;

  checkDeadlines(now: number): void {
    if (now > this.#deadline) this.destroy();
  }

  /** Nothing has been asked yet: an idle connection closes at once. */
  shutdown(_idleGraceMs: number): void {
    this.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
