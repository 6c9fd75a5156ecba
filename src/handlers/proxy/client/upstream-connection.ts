// One keep-alive HTTP/1.1 connection to an upstream (cleartext or TLS): writes a request, parses the response, enforces deadlines.
import type { Socket } from 'node:net';
import { ParseError } from '../../../http1/parse-error.js';
import { type ResponseHead, ResponseParser, type ResponseSink } from './response-parser.js';
import { UpstreamFailure, type FailureKind } from './upstream-failure.js';
import { type PeerTls, describeTlsError, dialUpstream } from './upstream-tls.js';

/** The exchange using a connection: gets the response and failures. */
export interface ConnectionUser {
  onUpstreamHead(head: ResponseHead): void;
  onUpstreamBody(chunk: Buffer): void;
  /** The response is complete; the connection has already gone back to its pool or closed. */
  onUpstreamEnd(): void;
  /** The socket flushed: more request body may be written. */
  onUpstreamDrain(): void;
  onUpstreamFailure(failure: UpstreamFailure): void;
  /**
   * The upstream answered 101 (RFC 9110 §15.2.2): the connection has left HTTP and left the pool;
   * the user owns `socket` (paused) and `rest`, the bytes that came after the head.
   */
  onUpstreamSwitch(head: ResponseHead, socket: Socket, rest: Buffer): void;
}

/** Where a connection goes when its exchange ends, and the timeouts it enforces. */
export interface ConnectionHome {
  readonly connectTimeoutMs: number;
  readonly headerTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxHeaderSize: number;
  /** The exchange ended and the connection may be reused. */
  release(connection: UpstreamConnection): void;
  /** The connection closed (or will never be reused). */
  forget(connection: UpstreamConnection): void;
  /** A TLS session ticket arrived: offered by the next connection to the same address. */
  keepSession(session: Buffer): void;
}

const enum Deadline {
  None,
  Connect,
  Header,
  Idle,
  /** In the pool: close when the keep-alive idle time has passed. */
  Pooled,
}

export class UpstreamConnection implements ResponseSink {
  readonly socket: Socket;
  readonly #home: ConnectionHome;
  readonly #parser: ResponseParser;
  #user: ConnectionUser | null = null;
  /** Ready for requests: TCP connected, and for TLS the handshake done and the certificate checked. */
  #connected = false;
  /** TLS only: the TCP connection is up (a failure after this is the handshake's). */
  #tcpUp = false;
  readonly #tls: boolean;
  #closed = false;
  /** Exchanges completed on this connection. */
  #uses = 0;
  #requestSent = false;
  #keepAlive = false;
  #extraBytes = false;
  #deadline = 0;
  #deadlineKind = Deadline.None;
  #error: Error | null = null;
  /** A 101 head seen inside the current read; the switch happens after the read is parsed. */
  #switchedHead: ResponseHead | null = null;
  /** How long this connection may sit idle in the pool (the upstream may ask for less). */
  #idleLimitMs: number;

  constructor(
    home: ConnectionHome,
    host: string,
    port: number,
    poolIdleMs: number,
    tls: PeerTls | null = null,
    session: Buffer | null = null,
  ) {
    this.#home = home;
    this.#idleLimitMs = poolIdleMs;
    this.#parser = new ResponseParser(this, home.maxHeaderSize);
    const { socket, readyEvent } = dialUpstream(host, port, tls, session);
    this.socket = socket;
    this.#tls = tls !== null;
    // The connect timeout covers the TLS handshake too: ready means ready for a request.
    this.#setDeadline(Deadline.Connect, home.connectTimeoutMs);
    this.socket.once(readyEvent, this.#onConnect);
    if (this.#tls) {
      this.socket.once('connect', this.#onTcpConnect);
      this.socket.on('session', this.#onSession);
    }
    this.socket.on('data', this.#onData);
    this.socket.on('drain', this.#onDrain);
    this.socket.on('end', this.#onEnd);
    this.socket.on('error', this.#onError);
    this.socket.once('close', this.#onClose);
  }

  /** Has carried an exchange before this one. */
  get reused(): boolean {
    return this.#uses > 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts an exchange: writes the request head now (queued until connected). */
  begin(user: ConnectionUser, head: string, method: string, hasBody: boolean): void {
    this.#user = user;
    this.#requestSent = !hasBody;
    this.#keepAlive = false;
    this.#extraBytes = false;
    this.#parser.expect(method);
    this.socket.write(head, 'latin1');
    if (this.#connected) this.#setSendDeadline();
  }

  /** Writes request body bytes; false means wait for onUpstreamDrain. */
  writeBody(chunk: Buffer | string): boolean {
    if (this.#closed) return true;
    const ok = this.socket.write(chunk);
    if (!this.#connected) return ok;
    if (!this.#parser.started) this.#setBodyDeadline(ok);
    else if (this.#deadlineKind === Deadline.Idle) {
      this.#deadline = Date.now() + this.#home.idleTimeoutMs;
    }
    return ok;
  }

  /** The request body is complete; the response-header timeout starts. */
  endBody(last?: string): void {
    if (this.#closed) return;
    if (last !== undefined) this.socket.write(last, 'latin1');
    this.#requestSent = true;
    if (this.#connected && !this.#parser.started) {
      this.#setDeadline(Deadline.Header, this.#home.headerTimeoutMs);
    }
  }

  /** Backpressure from the client: stop reading the response for now. */
  pauseResponse(): void {
    this.socket.pause();
    // The wait is the client's doing, not the upstream's: no upstream deadline meanwhile.
    this.#setDeadline(Deadline.None, 0);
  }

  resumeResponse(): void {
    if (this.#closed) return;
    this.#setDeadline(Deadline.Idle, this.#home.idleTimeoutMs);
    this.socket.resume();
  }

  /** The upstream asked (Keep-Alive: timeout=N) to keep idle connections for less than we would. */
  limitIdle(ms: number): void {
    if (ms < this.#idleLimitMs) this.#idleLimitMs = ms;
  }

  /** Called when the connection goes into its pool. */
  markPooled(now: number): void {
    this.#deadlineKind = Deadline.Pooled;
    this.#deadline = now + this.#idleLimitMs;
  }

  /** After a 101 head: the connection leaves HTTP and the user gets the socket. */
  #switch(head: ResponseHead, rest: Buffer): void {
    const socket = this.socket;
    const user = this.#user;
    socket.pause();
    socket.off('data', this.#onData);
    socket.off('drain', this.#onDrain);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onClose);
    socket.off('session', this.#onSession);
    // Our error listener stays: a reset before the tunnel adds its own must not crash the process.
    this.#user = null;
    this.#closed = true;
    this.#setDeadline(Deadline.None, 0);
    this.#home.forget(this);
    if (user === null) socket.destroy();
    else user.onUpstreamSwitch(head, socket, rest);
  }

  /** Closes now; an exchange in progress fails with `kind`. */
  destroy(kind?: FailureKind, message?: string): void {
    if (kind !== undefined) this.#fail(kind, message ?? kind);
    this.socket.destroy();
  }

  /** Called by the sweeper: enforces the connect, header, idle and pooled deadlines. */
  checkDeadline(now: number): void {
    if (this.#deadlineKind === Deadline.None || now < this.#deadline) return;
    switch (this.#deadlineKind) {
      case Deadline.Connect:
        this.destroy('connect-timeout', 'connect timed out');
        break;
      case Deadline.Header:
        this.destroy('header-timeout', 'no response head in time');
        break;
      case Deadline.Idle:
        this.destroy('idle-timeout', 'upstream idle too long');
        break;
      case Deadline.Pooled:
        this.socket.destroy();
        break;
    }
  }

  // ---- ResponseSink ----

  onResponseHead(head: ResponseHead): void {
    if (head.status === 101) {
      this.#switchedHead = head; // handed over once execute() says where the head ended
      return;
    }
    this.#keepAlive = head.keepAlive;
    this.#setDeadline(Deadline.Idle, this.#home.idleTimeoutMs);
    this.#user?.onUpstreamHead(head);
  }

  onResponseBody(chunk: Buffer): void {
    this.#user?.onUpstreamBody(chunk);
  }

  onResponseEnd(): void {
    const user = this.#user;
    this.#user = null;
    this.#uses++;
    this.#setDeadline(Deadline.None, 0);
    // Reuse only at a clean boundary: request fully sent, response delimited, nothing extra.
    if (this.#keepAlive && this.#requestSent && !this.#extraBytes && !this.#closed) {
      // The last body chunk may have paused us (a slow client): pooled, we must read again, or
      // the next exchange on this connection never sees its response.
      this.socket.resume();
      this.#home.release(this);
    } else {
      this.#closed = true;
      this.#home.forget(this);
      this.socket.destroy();
    }
    user?.onUpstreamEnd();
  }

  // ---- socket events ----

  readonly #onConnect = (): void => {
    this.#connected = true;
    if (this.#user === null) this.#setDeadline(Deadline.None, 0);
    else this.#setSendDeadline();
  };

  readonly #onTcpConnect = (): void => {
    this.#tcpUp = true;
  };

  readonly #onSession = (session: Buffer): void => {
    this.#home.keepSession(session);
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#user === null) {
      // RFC 9112 §9.3: bytes with no request outstanding: this connection cannot be trusted.
      this.socket.destroy();
      return;
    }
    if (this.#deadlineKind === Deadline.Idle)
      this.#deadline = Date.now() + this.#home.idleTimeoutMs;
    let result: number | ParseError;
    try {
      result = this.#parser.execute(chunk);
    } catch (error) {
      // A bug in a user callback must cost this exchange, never the process (a socket handler).
      const reason = error instanceof Error ? error.message : String(error);
      this.destroy('protocol', `internal error: ${reason}`);
      return;
    }
    if (result instanceof ParseError) {
      this.destroy('protocol', result.reason);
      return;
    }
    const switched = this.#switchedHead;
    if (switched !== null) {
      this.#switchedHead = null;
      this.#switch(switched, chunk.subarray(result));
      return;
    }
    if (result < chunk.length) this.#extraBytes = true;
  };

  readonly #onDrain = (): void => {
    if (this.#user !== null && !this.#requestSent && !this.#parser.started) {
      this.#setBodyDeadline(true);
    }
    this.#user?.onUpstreamDrain();
  };

  readonly #onEnd = (): void => {
    // The upstream sent FIN: a close-delimited body ends here; anything else was cut short.
    if (this.#user !== null && this.#parser.finishOnClose()) return;
    this.socket.destroy();
  };

  readonly #onError = (error: Error): void => {
    this.#error ??= error;
  };

  readonly #onClose = (): void => {
    if (this.#user !== null) {
      const error = this.#error;
      if (!this.#connected && this.#tcpUp) {
        this.#fail(
          'tls',
          error === null ? 'closed during the TLS handshake' : describeTlsError(error),
        );
      } else {
        const reason = error === null ? 'connection closed' : error.message;
        this.#fail(this.#connected ? 'closed' : 'connect', reason);
      }
    }
    this.#closed = true;
    this.#setDeadline(Deadline.None, 0);
    this.#home.forget(this);
  };

  #fail(kind: FailureKind, message: string): void {
    const user = this.#user;
    if (user === null) return;
    this.#user = null;
    user.onUpstreamFailure(
      new UpstreamFailure(kind, message, this.#parser.started, this.#uses > 0),
    );
  }

  /** Connected with a request out: the head timeout, or the body's while one is being sent. */
  #setSendDeadline(): void {
    if (this.#requestSent) this.#setDeadline(Deadline.Header, this.#home.headerTimeoutMs);
    else this.#setBodyDeadline(!this.socket.writableNeedDrain);
  }

  /**
   * While the request body goes out, the upstream is to blame only when it stops reading (our
   * socket buffer stays full): then the idle timeout runs. A client that pauses its upload is
   * the client side's body timeout's business; timing it here too would count a slow client as
   * a failed upstream (and take the upstream out of rotation).
   */
  #setBodyDeadline(flowing: boolean): void {
    if (flowing) this.#setDeadline(Deadline.None, 0);
    else if (this.#deadlineKind !== Deadline.Idle) {
      this.#setDeadline(Deadline.Idle, this.#home.idleTimeoutMs);
    }
  }

  #setDeadline(kind: Deadline, ms: number): void {
    this.#deadlineKind = kind;
    this.#deadline = kind === Deadline.None || ms <= 0 ? 0 : Date.now() + ms;
    if (ms <= 0) this.#deadlineKind = Deadline.None;
  }
}
