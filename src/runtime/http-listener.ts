// One HTTP listener: a bound socket, the HTTP/1.1 and HTTP/2 engines on it and the dispatcher whose router reloads swap.
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Http2Mode, HttpListenerPlan } from '../config/build-plan.js';
import { ConnectionSet } from '../http/connection-set.js';
import { Dispatcher, type EngineSettings } from '../http/dispatcher.js';
import { Router } from '../http/router.js';
import { Http1Server } from '../http1/http1-server.js';
import { Http2Server } from '../http2/http2-server.js';
import type { AccessLog } from '../log/access-log.js';
import type { Logger } from '../log/logger.js';
import { formatHostPort, formatUrl } from '../net/listen-address.js';
import { closeServer, listen } from '../net/listener.js';
import { type Engines, PrefaceSniffer, acceptByAlpn } from './protocol-choice.js';

function settingsOf(plan: HttpListenerPlan): EngineSettings {
  return { limits: plan.limits, timeouts: plan.timeouts, http2: plan.http2Limits };
}

export class HttpListener implements Engines {
  readonly key: string;
  readonly server: Server;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly #connections: ConnectionSet;
  readonly #http1: Http1Server;
  readonly #http2: Http2Server;
  readonly #dispatcher: Dispatcher;
  /** Swapped on reload: new connections follow the new mode. */
  #http2Mode: Http2Mode;

  private constructor(
    plan: HttpListenerPlan,
    server: Server,
    dispatcher: Dispatcher,
    connections: ConnectionSet,
  ) {
    this.key = plan.key;
    this.server = server;
    this.#dispatcher = dispatcher;
    this.#connections = connections;
    this.#http1 = new Http1Server(dispatcher, connections);
    this.#http2 = new Http2Server(dispatcher, connections);
    this.#http2Mode = plan.http2;
    const bound = server.address() as AddressInfo;
    this.host = bound.address;
    this.port = bound.port;
    this.url = formatUrl('http', bound.address, bound.port);
  }

  /** Binds the plan's address and serves it. */
  static async open(
    plan: HttpListenerPlan,
    logger: Logger,
    access: AccessLog | null,
  ): Promise<HttpListener> {
    const dispatcher = new Dispatcher(new Router(plan.sites), settingsOf(plan), {
      error: (message) => {
        logger.error(message);
      },
      debugEnabled: logger.debugEnabled,
      debug: (message) => {
        logger.debug(message);
      },
      access,
    });
    const connections = new ConnectionSet();
    let self: HttpListener | null = null;
    const onConnection = (socket: Socket): void => {
      if (logger.debugEnabled) {
        logger.debug(
          `Connection from ${formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0)}`,
        );
      }
      // Set before the first accept: listen() resolves in a microtask, connections come later.
      if (self === null) socket.destroy();
      else self.acceptCleartext(socket);
    };
    const server = await listen(plan.address, onConnection, {
      maxConnections: plan.maxConnections,
      onError: (error) => {
        logger.error(`Listener ${plan.address.text}: ${String(error)}`);
      },
    });
    self = new HttpListener(plan, server, dispatcher, connections);
    return self;
  }

  /** A cleartext connection: HTTP/1.1, or either protocol by its first bytes when h2c is on. */
  acceptCleartext(socket: Socket): void {
    if (this.#http2Mode === 'h2c') {
      new PrefaceSniffer(socket, this, this.#connections, this.#dispatcher.timeouts.headerMs);
    } else this.#http1.accept(socket);
  }

  /** A TLS connection after its handshake: the engine ALPN chose (see alpnProtocols). */
  acceptTls(socket: Socket): void {
    acceptByAlpn(socket, this);
  }

  /** Whether a TLS listener offers "h2" by ALPN (all modes but "off"). */
  get offersHttp2(): boolean {
    return this.#http2Mode !== 'off';
  }

  acceptHttp1(socket: Socket): void {
    this.#http1.accept(socket);
  }

  acceptHttp2(socket: Socket): void {
    this.#http2.accept(socket);
  }

  /** Reload: new connections and new requests use the new routes, limits and timeouts at once. */
  update(plan: HttpListenerPlan, access: AccessLog | null): void {
    this.#dispatcher.update(new Router(plan.sites), settingsOf(plan), access);
    this.#http2Mode = plan.http2;
    this.server.maxConnections = plan.maxConnections;
  }

  /**
   * Stops accepting, finishes in-flight requests (up to the deadline), closes idle connections;
   * HTTP/2 connections get GOAWAY and finish their open streams.
   */
  async close(deadlineMs: number, idleGraceMs = 0): Promise<void> {
    const closed = closeServer(this.server);
    await this.#connections.shutdown(deadlineMs, idleGraceMs);
    await closed;
  }
}
