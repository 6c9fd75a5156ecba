// The explicit map from a route's handler kind to the factory that builds it (no import side effects).
import type { Handler } from '../http/exchange.js';
import type { AppOptions } from './app/index.js';
import type { SharedState } from '../shared/shared-state.js';
import type { EchoOptions } from './echo/index.js';
import type { HealthOptions } from './health/index.js';
import type { Readiness } from '../http/readiness.js';
import type { UpstreamStatsSource } from '../metrics/upstream-stats.js';
import type { ProxyOptions } from './proxy/index.js';
import type { RedirectOptions } from './redirect/index.js';
import type { RespondOptions } from './respond/index.js';
import type { StaticContext, StaticOptions } from './static/index.js';

/** The logging handlers get: every level (the proxy logs upstream changes at info and error). */
export type HandlerLogger = StaticContext['logger'] & {
  info(message: string): void;
  error(message: string): void;
};

/** What every factory gets besides its options. */
export interface HandlerContext {
  readonly logger: HandlerLogger;
  /** Server-wide state (upstream health): the cluster primary's, or this process's. */
  readonly shared: SharedState;
  /** "site 0 route 2 (/api)": names the route's server-wide state the same in every worker. */
  readonly routeId: string;
  /** The route's counters (a proxy's upstreams count there); none: not counted. */
  readonly stats?: UpstreamStatsSource | undefined;
  /** The serving server's readiness (health routes); none: always ready (a checked plan). */
  readonly readiness?: Readiness | undefined;
}

/** Options per handler kind, already validated and resolved. */
export interface HandlerOptions {
  respond: RespondOptions;
  redirect: RedirectOptions;
  echo: EchoOptions;
  health: HealthOptions;
  static: StaticOptions;
  proxy: ProxyOptions;
  app: AppOptions;
}

export type HandlerKind = keyof HandlerOptions;

/** A built handler and what it holds (file watchers, pools), released on reload or stop. */
export interface BuiltHandler {
  readonly handler: Handler;
  /** Work before the first request (an app's module import); the plan serves once all are done. */
  readonly load?: () => Promise<void>;
  close(): Promise<void>;
}

const NOTHING_TO_CLOSE = (): Promise<void> => Promise.resolve();

export type HandlerFactory<K extends HandlerKind> = (
  options: HandlerOptions[K],
  context: HandlerContext,
) => BuiltHandler;

/**
 * Each kind's module is imported the first time a config uses it: a process that serves only
 * static files never loads the proxy's client, nor a proxy the file cache and media types.
 */
const loaders: { [K in HandlerKind]: () => Promise<HandlerFactory<K>> } = {
  respond: async () => {
    const { createRespondHandler } = await import('./respond/index.js');
    return (options) => ({ handler: createRespondHandler(options), close: NOTHING_TO_CLOSE });
  },
  redirect: async () => {
    const { createRedirectHandler } = await import('./redirect/index.js');
    return (options) => ({ handler: createRedirectHandler(options), close: NOTHING_TO_CLOSE });
  },
  echo: async () => {
    const { createEchoHandler } = await import('./echo/index.js');
    return (options) => ({ handler: createEchoHandler(options), close: NOTHING_TO_CLOSE });
  },
  health: async () => {
    const { createHealthHandler } = await import('./health/index.js');
    return (_options, context) => ({
      handler: createHealthHandler(context.readiness),
      close: NOTHING_TO_CLOSE,
    });
  },
  static: async () => {
    const { createStaticHandler } = await import('./static/index.js');
    return (options, context) => {
      const handler = createStaticHandler(options, context);
      return { handler, load: () => handler.load(), close: () => handler.close() };
    };
  },
  proxy: async () => {
    const { createProxyHandler } = await import('./proxy/index.js');
    return (options, context) => {
      const handler = createProxyHandler(options, {
        logger: context.logger,
        shared: context.shared,
        healthGroup: `health ${context.routeId}`,
        stats: context.stats,
      });
      return { handler, close: () => handler.close() };
    };
  },
  app: async () => {
    const { createAppHandler } = await import('./app/index.js');
    return (options, context) => {
      const handler = createAppHandler(options, context.logger, context.routeId);
      return {
        handler,
        load: () => handler.load(),
        close: () => {
          handler.close();
          return Promise.resolve();
        },
      };
    };
  },
};

/** The factory of one handler kind, its module loaded on first use. */
export function loadHandlerFactory<K extends HandlerKind>(kind: K): Promise<HandlerFactory<K>> {
  return loaders[kind]();
}
