// Compiles a validated Config into a Plan: listeners, their site tables and handlers, built once.
import { PortaError } from '../errors.js';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { type BuiltHandler, type HandlerLogger, loadHandlerFactory } from '../handlers/registry.js';
import type { ConnectionTimeouts, RequestLimits } from '../http/limits.js';
import type { RouteTable, SiteTable } from '../http/router.js';
import { type ListenAddress, parseListenAddress } from '../net/listen-address.js';
import { type SharedState, createLocalSharedState } from '../shared/shared-state.js';
import { withDirectives } from './build-directives.js';
import { staticOptionsFromConfig } from './static-options.js';
import { forwardOptionsFromConfig } from './forward-options.js';
import { proxyOptionsFromConfig } from './proxy-options.js';
import type { ForwardOptions } from '../forward/index.js';
import type { Config, RouteConfig } from './schema.js';
import { parseDuration, parseRate, parseSize } from './units.js';

export interface HttpListenerPlan {
  /** Identity across reloads: a listener with the same key keeps its socket. */
  readonly key: string;
  readonly address: ListenAddress;
  readonly sites: readonly SiteTable[];
  readonly limits: RequestLimits;
  readonly timeouts: ConnectionTimeouts;
}

/** A TCP listener that does not speak HTTP. */
export interface StreamListenerPlan {
  readonly key: string;
  readonly address: ListenAddress;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  /** Port forwarding (TCP or UDP) to targets; null for the TCP echo service. */
  readonly forward: ForwardOptions | null;
}

export interface Plan {
  readonly http: readonly HttpListenerPlan[];
  readonly streams: readonly StreamListenerPlan[];
  readonly shutdownMs: number;
  readonly log: Config['log'];
  /** Everything the handlers hold, released when this plan is retired. */
  readonly handlers: readonly BuiltHandler[];
}

/** What handlers may need from the runtime when they are built. */
export interface PlanContext {
  /** Relative paths (a static root) start here. */
  readonly baseDir: string;
  readonly logger: HandlerLogger;
  /**
   * Server-wide state: the cluster primary's over IPC, or this process's. Without one the plan
   * gets its own that runs no active health checks (a plan only checked, never served).
   */
  readonly shared: SharedState;
}

/** A logger that writes nothing: for plans that are only checked, never served. */
const SILENT: HandlerLogger = {
  debugEnabled: false,
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
};

async function buildRoute(
  route: RouteConfig,
  built: BuiltHandler[],
  context: PlanContext,
  routeId: string,
): Promise<RouteTable> {
  const handlerContext = { logger: context.logger, shared: context.shared, routeId };
  let handler: BuiltHandler;
  if (route.static !== undefined) {
    handler = (await loadHandlerFactory('static'))(
      staticOptionsFromConfig(route.static, context.baseDir),
      handlerContext,
    );
  } else if (route.proxy !== undefined) {
    handler = (await loadHandlerFactory('proxy'))(
      proxyOptionsFromConfig(route.proxy),
      handlerContext,
    );
  } else if (route.respond !== undefined) {
    handler = (await loadHandlerFactory('respond'))(route.respond, handlerContext);
  } else if (route.redirect !== undefined) {
    const { to, status, keep_path } = route.redirect;
    handler = (await loadHandlerFactory('redirect'))(
      { to, status, keepPath: keep_path },
      handlerContext,
    );
  } else {
    const echo = route.echo ?? {};
    handler = (await loadHandlerFactory('echo'))({ name: echo.name ?? hostname() }, handlerContext);
  }
  built.push(handler);
  return { prefix: route.path, handler: handler.handler };
}

function addressOf(text: string, where: string): ListenAddress {
  try {
    return parseListenAddress(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new PortaError('PORTA_CONFIG_INVALID', `${where}: ${message}`);
  }
}

/** Builds every listener and handler; a handler kind's module is loaded when a route first uses it. */
export async function buildPlan(config: Config, options: Partial<PlanContext> = {}): Promise<Plan> {
  const logger = options.logger ?? SILENT;
  const context: PlanContext = {
    baseDir: resolve(options.baseDir ?? process.cwd(), config.base_dir ?? '.'),
    logger,
    shared:
      options.shared ??
      createLocalSharedState({
        warn: (message) => {
          logger.warning(message);
        },
        runChecks: false,
      }),
  };
  const limits: RequestLimits = {
    maxRequestLine: parseSize(config.limits.max_request_line),
    maxHeaderSize: parseSize(config.limits.max_header_size),
    maxHeaders: config.limits.max_headers,
    maxBodySize: parseSize(config.limits.max_body_size),
  };
  const minBodyRate = parseRate(config.timeouts.min_body_rate);
  const timeouts: ConnectionTimeouts = {
    headerMs: parseDuration(config.timeouts.header),
    bodyMs: parseDuration(config.timeouts.body),
    idleMs: parseDuration(config.timeouts.idle),
    sendMs: parseDuration(config.timeouts.send),
    minBodyBytes: minBodyRate?.bytes ?? 0,
    bodyRateWindowMs: minBodyRate?.windowMs ?? 0,
  };
  const built: BuiltHandler[] = [];
  const byAddress = new Map<string, { address: ListenAddress; sites: SiteTable[] }>();
  for (const [siteIndex, site] of config.sites.entries()) {
    const routes: RouteTable[] = [];
    for (const [routeIndex, route] of site.routes.entries()) {
      // The same in every worker built from this config: their server-wide state meets here.
      const routeId = `site ${siteIndex} route ${routeIndex} (${route.path})`;
      const table = await buildRoute(route, built, context, routeId);
      routes.push(withDirectives(table, site, route, { shared: context.shared, routeId, logger }));
    }
    const table: SiteTable = { hosts: site.hosts.map((h) => h.toLowerCase()), routes };
    site.listen.forEach((text, i) => {
      const address = addressOf(text, `sites[${siteIndex}].listen[${i}]`);
      const key = listenKey(address);
      const entry = byAddress.get(key) ?? { address, sites: [] };
      entry.sites.push(table);
      byAddress.set(key, entry);
    });
  }
  const streams: StreamListenerPlan[] = [];
  config.streams.forEach((stream, streamIndex) => {
    stream.listen.forEach((text, i) => {
      const where = `streams[${streamIndex}].listen[${i}]`;
      const address = addressOf(text, where);
      const forward =
        stream.forward === undefined
          ? null
          : forwardOptionsFromConfig(stream.forward, {
              maxConnections: config.limits.max_connections,
              shutdownMs: parseDuration(config.timeouts.shutdown),
            });
      const udp = forward?.protocol === 'udp';
      if (!udp && byAddress.has(listenKey(address)) && address.port !== 0) {
        throw new PortaError(
          'PORTA_CONFIG_INVALID',
          `${where}: ${address.text} is already an HTTP listener; one address, one protocol`,
        );
      }
      streams.push({
        // UDP and TCP ports are separate namespaces: udp:53 and tcp:53 are two listeners.
        key: udp ? `udp ${listenKey(address)}` : listenKey(address),
        address,
        maxConnections: forward?.maxConnections ?? config.limits.max_connections,
        idleTimeoutMs: forward?.idleTimeoutMs ?? timeouts.idleMs,
        forward,
      });
    });
  });
  return {
    http: [...byAddress.entries()].map(([key, { address, sites }]) => ({
      key,
      address,
      sites,
      limits,
      timeouts,
    })),
    streams,
    shutdownMs: parseDuration(config.timeouts.shutdown),
    log: config.log,
    handlers: built,
  };
}

/** Port 0 listeners are each their own (the kernel picks a port per bind). */
let anonymous = 0;
function listenKey(address: ListenAddress): string {
  return address.port === 0 ? `${address.text}#${anonymous++}` : address.text;
}

/** Builds the plan only to find its errors, then releases what the handlers hold. */
export async function checkPlan(config: Config, options: Partial<PlanContext> = {}): Promise<Plan> {
  const plan = await buildPlan(config, options);
  await Promise.all(plan.handlers.map((h) => h.close()));
  return plan;
}
