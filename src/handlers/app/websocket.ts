// WebSockets for apps, on the socket the engine hands over after an HTTP/1.1 Upgrade: crossws hooks
// (srvx's and h3's shape) run by crossws's own Node adapter, and node:http `upgrade` listeners
// (`injectWebSocket` of @hono/node-ws, or `ws` directly). See docs/apps.md#websockets.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Hooks, Peer } from 'crossws';
import type { NodeAdapter } from 'crossws/adapters/node';
import type { Exchange, UpgradedConnection } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import type { AppRequest } from './app-request.js';
import { UpgradeRequest, asksForWebSocket, checkHandshake } from './websocket-handshake.js';
import { writeResponse } from './write-response.js';

type AppHooks = Partial<Hooks>;
type UpgradeAnswer = Awaited<ReturnType<Hooks['upgrade']>>;
/** Every hook but `upgrade` takes the peer first. */
type PeerHook = (peer: Peer, detail: unknown) => unknown;

const PEER_HOOKS = ['open', 'message', 'close', 'drain', 'error', 'ping', 'pong'] as const;
/** A failure in these leaves the conversation in an unknown state: the peer is closed with 1011. */
const CLOSING_HOOKS: ReadonlySet<string> = new Set(['open', 'message', 'drain', 'ping', 'pong']);

/** crossws's public key for hooks an app attached to its request (`setWebSocketHooks`, h3). */
const REQUEST_HOOKS = Symbol.for('crossws.hooks');

export interface WebSocketLogger {
  error(message: string): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function isHooks(value: unknown): value is AppHooks {
  return typeof value === 'object' && value !== null;
}

/** A Response the app threw to refuse an upgrade (crossws: `throw new Response(…)` or `{ response }`). */
function thrownResponse(error: unknown): Response | null {
  if (error instanceof Response) return error;
  const inner = isHooks(error) ? (error as { response?: unknown }).response : undefined;
  return inner instanceof Response ? inner : null;
}

/** Takes the socket from the engine as node:http hands it to `upgrade` listeners; null if the client left. */
async function takeSocket(exchange: Exchange): Promise<UpgradedConnection | null> {
  // The engine counts a bodiless request as read once the parser run that dispatched it returns.
  await Promise.resolve();
  if (exchange.closed) return null;
  let taken: UpgradedConnection;
  try {
    taken = exchange.upgrade();
  } catch {
    return null; // the client went away meanwhile
  }
  // The engine paused the socket; node:http leaves it neither paused nor flowing, so the new
  // owner's first 'data' listener starts the flow (ws relies on that). The setter is Node's.
  (taken.socket as { readableFlowing: boolean | null }).readableFlowing = null;
  return taken;
}

/** crossws's Node adapter module, imported once per process on the first WebSocket. */
let crossws: Promise<typeof import('crossws/adapters/node')> | null = null;

/**
 * An app route's WebSockets. The app object may carry crossws hooks (`websocket`, as srvx's
 * `serve({ fetch, websocket })`: every WebSocket request goes to them) or `injectWebSocket`
 * (called once with a stand-in for the node:http server); else the app's fetch may answer a
 * WebSocket request with hooks (`response.crossws`, h3's `defineWebSocketHandler`).
 */
export class AppSockets {
  readonly #logger: WebSocketLogger;
  readonly #route: string;
  /** The app's own crossws hooks (`app.websocket`), wrapped per connection by `open`. */
  readonly #inline: AppHooks | null;
  /** What `injectWebSocket(server)` got: its `upgrade` listeners take sockets node:http-style. */
  readonly #server = new EventEmitter();
  #adapter: Promise<NodeAdapter> | null = null;
  /** Each handshake's hooks (the upgrade hook already run), for crossws's `resolve`. */
  readonly #handshakes = new WeakMap<AppRequest, AppHooks>();

  constructor(app: unknown, logger: WebSocketLogger, route: string) {
    this.#logger = logger;
    this.#route = route;
    const own = typeof app === 'object' || typeof app === 'function' ? app : null;
    const websocket = own === null ? undefined : (own as { websocket?: unknown }).websocket;
    this.#inline = isHooks(websocket) ? websocket : null;
    const inject =
      own === null ? undefined : (own as { injectWebSocket?: unknown }).injectWebSocket;
    if (typeof inject === 'function') (inject as (server: EventEmitter) => void)(this.#server);
  }

  /** This request goes to the app's WebSocket side without calling fetch. */
  takesEarly(exchange: Exchange): boolean {
    return (
      (this.#inline !== null || this.#server.listenerCount('upgrade') > 0) &&
      asksForWebSocket(exchange)
    );
  }

  /** The hooks fetch answered a WebSocket request with, or null: then `response` is the answer. */
  hooksIn(exchange: Exchange, request: AppRequest, response: Response): AppHooks | null {
    if (!asksForWebSocket(exchange)) return null;
    const attached = (response as { crossws?: unknown }).crossws;
    if (isHooks(attached)) return attached;
    const onRequest = (request as unknown as Record<symbol, unknown>)[REQUEST_HOOKS];
    return isHooks(onRequest) ? onRequest : null;
  }

  /** A WebSocket request for inline hooks or `upgrade` listeners. */
  async takeEarly(exchange: Exchange, request: AppRequest): Promise<void> {
    if (this.#inline !== null) {
      await this.open(exchange, request, this.#inline);
      return;
    }
    if (this.#refused(exchange)) return;
    const taken = await takeSocket(exchange);
    if (taken === null) return;
    const { socket, head } = taken;
    const node = new UpgradeRequest(exchange, socket);
    // Called one by one rather than emit(): a listener that throws or rejects costs its socket only.
    for (const listener of this.#server.rawListeners('upgrade')) {
      try {
        const result: unknown = (listener as (...args: unknown[]) => unknown).call(
          this.#server,
          node,
          socket,
          head,
        );
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            this.#listenerFailed(exchange, error, socket);
          });
        }
      } catch (error) {
        this.#listenerFailed(exchange, error, socket);
      }
    }
  }

  /** Runs the upgrade hook, then hands the socket to crossws (101), or answers what the hook said. */
  async open(exchange: Exchange, request: AppRequest, hooks: AppHooks): Promise<void> {
    if (this.#refused(exchange)) return;
    let answer: UpgradeAnswer;
    try {
      answer = await hooks.upgrade?.(request as unknown as Request);
    } catch (error) {
      const refusal = thrownResponse(error);
      if (refusal !== null) await writeResponse(exchange, refusal, request);
      else {
        this.#logger.error(`${this.#what(exchange)}: upgrade hook failed: ${describe(error)}`);
        if (!exchange.closed) sendError(exchange, 500);
      }
      return;
    }
    if (answer instanceof Response) {
      await writeResponse(exchange, answer, request);
      return;
    }
    const adapter = await this.#crossws();
    const taken = await takeSocket(exchange);
    if (taken === null) return;
    // crossws asks `resolve` for the hooks (its upgrade call gets the answer given above).
    this.#handshakes.set(request, { ...this.#wrap(hooks), upgrade: () => answer });
    const node = new UpgradeRequest(exchange, taken.socket);
    // crossws reads only what the node:http request has in common with UpgradeRequest.
    const incoming = node as unknown as IncomingMessage;
    await adapter.handleUpgrade(incoming, taken.socket, taken.head, request as unknown as Request);
  }

  /** Tells open WebSockets the server is going away (RFC 6455 §7.4.1: 1001). */
  close(): void {
    this.#adapter
      ?.then((adapter) => {
        adapter.closeAll(1001, 'Server going away');
      })
      .catch(() => undefined); // crossws never loaded: nothing is open
  }

  #refused(exchange: Exchange): boolean {
    const refusal = checkHandshake(exchange);
    if (refusal === null) return false;
    sendError(exchange, refusal.status, refusal.fields);
    return true;
  }

  #crossws(): Promise<NodeAdapter> {
    this.#adapter ??= (crossws ??= import('crossws/adapters/node')).then((module) =>
      module.default({
        resolve: (request) => this.#handshakes.get(request as unknown as AppRequest) ?? {},
      }),
    );
    return this.#adapter;
  }

  /** The app's hooks, each one's failure logged with the route and, where it matters, 1011. */
  #wrap(hooks: AppHooks): AppHooks {
    const wrapped: Record<string, PeerHook> = {};
    for (const name of PEER_HOOKS) {
      const hook = hooks[name] as PeerHook | undefined;
      if (typeof hook !== 'function') continue;
      wrapped[name] = (peer, detail) => {
        try {
          const result = hook.call(hooks, peer, detail);
          if (result instanceof Promise) {
            return result.catch((error: unknown) => {
              this.#hookFailed(name, peer, error);
            });
          }
          return result;
        } catch (error) {
          this.#hookFailed(name, peer, error);
          return undefined;
        }
      };
    }
    return wrapped;
  }

  #hookFailed(name: string, peer: Peer, error: unknown): void {
    this.#logger.error(
      `App WebSocket ${name} hook failed on ${this.#route} for ${peer.request.url}: ${describe(error)}`,
    );
    if (!CLOSING_HOOKS.has(name)) return;
    try {
      // RFC 6455 §7.4.1: 1011, the server met a condition it did not expect.
      peer.close(1011, 'Internal Error');
    } catch {
      peer.terminate();
    }
  }

  #listenerFailed(exchange: Exchange, error: unknown, socket: UpgradedConnection['socket']): void {
    this.#logger.error(`${this.#what(exchange)}: upgrade listener failed: ${describe(error)}`);
    socket.destroy();
  }

  #what(exchange: Exchange): string {
    return `App WebSocket on ${this.#route} for ${exchange.request.method} ${exchange.request.target}`;
  }
}
