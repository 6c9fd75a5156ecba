// One HTTP listener: a bound socket, the HTTP/1.1 engine on it and the dispatcher whose router reloads swap.
import type { AddressInfo, Server, Socket } from 'node:net';
import type { HttpListenerPlan } from '../config/build-plan.js';
import { Dispatcher } from '../http/dispatcher.js';
import { Router } from '../http/router.js';
import { Http1Server } from '../http1/http1-server.js';
import type { AccessLog } from '../log/access-log.js';
import type { Logger } from '../log/logger.js';
import { formatHostPort, formatUrl } from '../net/listen-address.js';
import { closeServer, listen } from '../net/listener.js';
import { unmapAddress } from '../net/peer-address.js';
import type { ConnectionGuard } from './connection-guard.js';

export class HttpListener {
  readonly key: string;
  readonly server: Server;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly #engine: Http1Server;
  readonly #dispatcher: Dispatcher;

  private constructor(key: string, server: Server, engine: Http1Server, dispatcher: Dispatcher) {
    this.key = key;
    this.server = server;
    this.#engine = engine;
    this.#dispatcher = dispatcher;
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
    guard: ConnectionGuard,
  ): Promise<HttpListener> {
    const dispatcher = new Dispatcher(new Router(plan.sites), plan.limits, plan.timeouts, {
      error: (message) => {
        logger.error(message);
      },
      debugEnabled: logger.debugEnabled,
      debug: (message) => {
        logger.debug(message);
      },
      access,
    });
    const engine = new Http1Server(dispatcher, guard.budget);
    // The peer address is unmapped here, once per connection: logs, echo, allow lists and
    // X-Forwarded-For all see 127.0.0.1 rather than ::ffff:127.0.0.1 on a dual-stack listener.
    const onConnection = logger.debugEnabled
      ? (socket: Socket) => {
          const peer = unmapAddress(socket.remoteAddress ?? '');
          logger.debug(`Connection from ${formatHostPort(peer, socket.remotePort ?? 0)}`);
          if (engine.accept(socket, peer)) guard.onAccepted();
        }
      : (socket: Socket) => {
          if (engine.accept(socket, unmapAddress(socket.remoteAddress ?? ''))) guard.onAccepted();
        };
    // No Node maxConnections: the guard's budget caps the whole process and reclaims first.
    const server = await listen(plan.address, onConnection, {
      onError: (error) => {
        guard.onListenerError(plan.address.text, error);
      },
    });
    return new HttpListener(plan.key, server, engine, dispatcher);
  }

  /** Reload: new connections and new requests use the new routes, limits and timeouts at once. */
  update(plan: HttpListenerPlan, access: AccessLog | null): void {
    this.#dispatcher.update(new Router(plan.sites), plan.limits, plan.timeouts, access);
  }

  /** Stops accepting, finishes in-flight requests (up to the deadline), closes idle connections. */
  async close(deadlineMs: number, idleGraceMs = 0): Promise<void> {
    const closed = closeServer(this.server);
    await this.#engine.shutdown(deadlineMs, idleGraceMs);
    await closed;
  }
}
