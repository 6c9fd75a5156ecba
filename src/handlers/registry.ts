// The explicit map from a route's handler kind to the factory that builds it (no import side effects).
import type { Handler } from '../http/exchange.js';
import { type AppOptions, createAppHandler } from './app/index.js';
import type { SharedState } from '../shared/shared-state.js';
import { type EchoOptions, createEchoHandler } from './echo/index.js';
import { type HealthOptions, createHealthHandler } from './health/index.js';
import { ALWAYS_READY, type Readiness } from '../http/readiness.js';
import type { UpstreamStatsSource } from '../metrics/upstream-stats.js';
import { type ProxyOptions, createProxyHandler } from './proxy/index.js';
import { type RedirectOptions, createRedirectHandler } from './redirect/index.js';
import { type RespondOptions, createRespondHandler } from './respond/index.js';
import { type StaticContext, type StaticOptions, createStaticHandler } from './static/index.js';

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

export const handlerFactories: {
  [K in HandlerKind]: (options: HandlerOptions[K], context: HandlerContext) => BuiltHandler;
} = {
  respond: (options) => ({ handler: createRespondHandler(options), close: NOTHING_TO_CLOSE }),
  redirect: (options) => ({ handler: createRedirectHandler(options), close: NOTHING_TO_CLOSE }),
  echo: (options) => ({ handler: createEchoHandler(options), close: NOTHING_TO_CLOSE }),
  health: (_options, context) => ({
    handler: createHealthHandler(context.readiness ?? ALWAYS_READY),
    close: NOTHING_TO_CLOSE,
  }),
  static: (options, context) => {
    const handler = createStaticHandler(options, context);
    return { handler, close: () => handler.close() };
  },
  proxy: (options, context) => {
    const handler = createProxyHandler(options, {
      logger: context.logger,
      shared: context.shared,
      healthGroup: `health ${context.routeId}`,
      stats: context.stats,
    });
    return { handler, close: () => handler.close() };
  },
  app: (options, context) => {
    const handler = createAppHandler(options, context.logger, context.routeId);
    return {
      handler,
      load: () => handler.load(),
      close: () => {
        handler.close();
        return Promise.resolve();
      },
    };
  },
};
