// Compiles a validated Config into a Plan: listeners, their site tables and handlers, built once.
import { PortaError } from '../errors.js';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { type BuiltHandler, type HandlerLogger, loadHandlerFactory } from '../handlers/registry.js';
import type { ConnectionTimeouts, Http2Limits, RequestLimits } from '../http/limits.js';
import type { RouteTable, SiteTable } from '../http/router.js';
import { type ListenAddress, parseListenAddress } from '../net/listen-address.js';
import { type SharedState, createLocalSharedState } from '../shared/shared-state.js';
import { hasDirectives } from './has-directives.js';
import { staticOptionsFromConfig } from './static-options.js';
import type { ForwardOptions } from '../forward/index.js';
import type { ProcessMetrics } from '../metrics/process-metrics.js';
import type { RouteStats } from '../metrics/route-stats.js';
import type { Readiness } from '../http/readiness.js';
import type { Config, RouteConfig } from './schema.js';
import type { TlsSitePlan } from './tls-options.js';
import { parseDuration, parseRate, parseSize } from './units.js';

export interface HttpListenerPlan {
  /** Identity across reloads: a listener with the same key keeps its socket. */
  readonly key: string;
  readonly address: ListenAddress;
  readonly sites: readonly SiteTable[];
  readonly limits: RequestLimits;
  readonly timeouts: ConnectionTimeouts;
  /** HTTP/2: "auto" (by ALPN on TLS), "h2c" (also prior knowledge on cleartext) or "off". */
  readonly http2: Http2Mode;
  readonly http2Limits: Http2Limits;
  /** HTTPS: the sites' certificates by host; null for cleartext HTTP. */
  readonly tls: TlsListenerPlan | null;
}

/** What a TLS listener needs beyond HTTP: certificates per site, handshake deadline, ALPN. */
export interface TlsListenerPlan {
  readonly sites: readonly TlsSitePlan[];
  readonly handshakeTimeoutMs: number;
  /**
   * Offer h2 by ALPN (before http/1.1): on unless the sites say `http2: off`, like Caddy.
   */
  readonly http2: boolean;
}

export type Http2Mode = 'auto' | 'h2c' | 'off';

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
  /** On a full stop, how long listeners stay open (readiness 503) before the drain. */
  readonly shutdownDelayMs: number;
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
  /** Counters of the process that serves the plan; routes get theirs from it (none: not counted). */
  readonly metrics?: ProcessMetrics | undefined;
  /** The serving server's readiness, for `health` routes (none: always ready). */
  readonly readiness?: Readiness | undefined;
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
  where: string,
  stats: RouteStats | undefined,
): Promise<RouteTable> {
  const { logger, shared, readiness } = context;
  const handlerContext = { logger, shared, routeId, stats, readiness };
  let handler: BuiltHandler;
  if (route.static !== undefined) {
    handler = (await loadHandlerFactory('static'))(
      staticOptionsFromConfig(route.static, context.baseDir),
      handlerContext,
    );
  } else if (route.proxy !== undefined) {
    const { proxyOptionsFromConfig } = await import('./proxy-options.js');
    const options = proxyOptionsFromConfig(route.proxy, context.baseDir, `${where}.proxy`);
    handler = (await loadHandlerFactory('proxy'))(options, handlerContext);
  } else if (route.app !== undefined) {
    const { appOptionsFromConfig } = await import('./app-options.js');
    handler = (await loadHandlerFactory('app'))(
      appOptionsFromConfig(route.app, context.baseDir),
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
  } else if (route.health !== undefined) {
    handler = (await loadHandlerFactory('health'))({}, handlerContext);
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

/** The engines' request limits, connection timeouts and HTTP/2 limits, parsed once from the config. */
export function engineSettings(config: Config): {
  readonly limits: RequestLimits;
  readonly timeouts: ConnectionTimeouts;
  readonly http2Limits: Http2Limits;
} {
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
  const http2Limits: Http2Limits = {
    maxConcurrentStreams: config.limits.max_concurrent_streams,
    maxResets: config.limits.max_stream_resets,
  };
  return { limits, timeouts, http2Limits };
}

/**
 * Builds every listener and handler; a handler kind's module is loaded when a route first uses
 * it, and so are the directives, the TLS and HTTPS extras and the forwarder's options: a site
 * without them (`porta serve`) never loads their code.
 */
export async function buildPlan(config: Config, options: Partial<PlanContext> = {}): Promise<Plan> {
  const logger = options.logger ?? SILENT;
  const context: PlanContext = {
    baseDir: resolve(options.baseDir ?? process.cwd(), config.base_dir ?? '.'),
    logger,
    metrics: options.metrics,
    readiness: options.readiness,
    shared:
      options.shared ??
      createLocalSharedState({
        warn: (message) => {
          logger.warning(message);
        },
        runChecks: false,
      }),
  };
  const { limits, timeouts, http2Limits } = engineSettings(config);
  const built: BuiltHandler[] = [];
  const byAddress = new Map<string, AddressEntry>();
  for (const [siteIndex, site] of config.sites.entries()) {
    const hosts = site.hosts.map((h) => h.toLowerCase());
    const https =
      site.tls === undefined && site.acme_webroot === undefined ? null : await loadHttpsParts();
    // Certificates first: a bad file should fail before any handler holds resources.
    const tls =
      site.tls === undefined || https === null
        ? null
        : https.tlsSiteFromConfig(site.tls, hosts, context.baseDir, `sites[${siteIndex}].tls`);
    const extrasContext = {
      logger,
      shared: context.shared,
      routeId: `site ${siteIndex} https extras`,
    };
    const acme =
      site.acme_webroot === undefined || https === null
        ? null
        : await https.acmeRoute(site.acme_webroot, context.baseDir, built, extrasContext);
    const hsts = https === null ? site : https.withHsts(site);
    const routes: RouteTable[] = [];
    for (const [routeIndex, route] of site.routes.entries()) {
      // The same in every worker built from this config: their server-wide state meets here.
      const routeId = `site ${siteIndex} route ${routeIndex} (${route.path})`;
      const stats = context.metrics?.route(siteIndex, site.hosts[0] ?? '*', route.path);
      const where = `sites[${siteIndex}].routes[${routeIndex}]`;
      const table = { ...(await buildRoute(route, built, context, routeId, where, stats)), stats };
      if (!hasDirectives(hsts, route)) {
        routes.push(table);
        continue;
      }
      const { withDirectives } = await import('./build-directives.js');
      routes.push(withDirectives(table, hsts, route, { shared: context.shared, routeId, logger }));
    }
    if (acme !== null) routes.push(acme);
    const table: SiteTable = { hosts, routes };
    const place = (
      siteTable: SiteTable,
      siteTls: TlsSitePlan | null,
      where: string,
      text: string,
      http2: Http2Mode,
    ) => {
      const address = addressOf(text, where);
      const key = listenKey(address);
      const entry = byAddress.get(key) ?? {
        address,
        sites: [],
        tls: [],
        plainSite: null,
        http2: null,
      };
      entry.sites.push(siteTable);
      entry.http2 = agreedHttp2(entry.http2, http2, `sites[${siteIndex}].http2`, address);
      if (siteTls === null) entry.plainSite ??= where;
      else entry.tls.push(siteTls);
      if (entry.plainSite !== null && entry.tls.length > 0) {
        throw new PortaError(
          'PORTA_CONFIG_INVALID',
          `${where}: ${address.text} mixes sites with and without tls; one address, one protocol ` +
            '(give every site on it tls, or move one to another port)',
        );
      }
      byAddress.set(key, entry);
      return address;
    };
    const addresses = site.listen.map((text, i) =>
      place(table, tls, `sites[${siteIndex}].listen[${i}]`, text, site.http2),
    );
    if (site.tls === undefined || https === null) continue;
    const httpsPort = addresses[0]?.port ?? 443;
    for (const [i, text] of https.redirectAddresses(site.tls).entries()) {
      const redirects = await https.redirectTable(hosts, httpsPort, acme, built, extrasContext);
      // The redirect listener is cleartext HTTP/1.1 whatever the site's http2 says.
      place(redirects, null, `sites[${siteIndex}].tls.redirect_from[${i}]`, text, 'auto');
    }
  }
  const handshakeTimeoutMs = parseDuration(config.timeouts.handshake);
  const streams: StreamListenerPlan[] = [];
  const { forwardOptionsFromConfig } = config.streams.some((s) => s.forward !== undefined)
    ? await import('./forward-options.js')
    : { forwardOptionsFromConfig: null };
  config.streams.forEach((stream, streamIndex) => {
    stream.listen.forEach((text, i) => {
      const where = `streams[${streamIndex}].listen[${i}]`;
      const address = addressOf(text, where);
      const forward =
        stream.forward === undefined || forwardOptionsFromConfig === null
          ? null
          : forwardOptionsFromConfig(stream.forward, {
              maxConnections: config.limits.max_connections,
              shutdownMs: parseDuration(config.timeouts.shutdown),
              handshakeMs: handshakeTimeoutMs,
              baseDir: context.baseDir,
              where: `streams[${streamIndex}].forward`,
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
    http: [...byAddress.entries()].map(([key, { address, sites, tls, http2 }]) => ({
      key,
      address,
      sites,
      limits,
      timeouts,
      http2: http2?.mode ?? 'auto',
      http2Limits,
      tls:
        tls.length === 0
          ? null
          : { sites: tls, handshakeTimeoutMs, http2: (http2?.mode ?? 'auto') !== 'off' },
    })),
    streams,
    shutdownMs: parseDuration(config.timeouts.shutdown),
    shutdownDelayMs: parseDuration(config.timeouts.shutdown_delay),
    log: config.log,
    handlers: built,
  };
}

/** What a site with `tls:` or `acme_webroot:` adds, loaded with the first such site. */
async function loadHttpsParts(): Promise<
  typeof import('./tls-options.js') & typeof import('./build-https-extras.js')
> {
  const [options, extras] = await Promise.all([
    import('./tls-options.js'),
    import('./build-https-extras.js'),
  ]);
  return { ...options, ...extras };
}

/** The sites gathered on one address while the plan is built. */
interface AddressEntry {
  readonly address: ListenAddress;
  readonly sites: SiteTable[];
  readonly tls: TlsSitePlan[];
  /** Where the first site without tls is (for the mixed-protocol error). */
  plainSite: string | null;
  /** The HTTP/2 mode the sites asked for explicitly (not "auto"), and where. */
  http2: { readonly mode: Http2Mode; readonly where: string } | null;
}

/** Sites sharing a listener share its protocols: an explicit "h2c" and an explicit "off" clash. */
function agreedHttp2(
  agreed: AddressEntry['http2'],
  mode: Http2Mode,
  where: string,
  address: ListenAddress,
): AddressEntry['http2'] {
  if (mode === 'auto') return agreed;
  if (agreed === null || agreed.mode === mode) return agreed ?? { mode, where };
  throw new PortaError(
    'PORTA_CONFIG_INVALID',
    `${where}: "${mode}" clashes with ${agreed.where} "${agreed.mode}" on the shared listener ${address.text}; sites on one address must agree`,
  );
}

/** Port 0 listeners are each their own (the kernel picks a port per bind). */
let anonymous = 0;
function listenKey(address: ListenAddress): string {
  return address.port === 0 ? `${address.text}#${anonymous++}` : address.text;
}

/** Runs the handlers' loading (apps import their modules); the plan serves only after it. */
export async function loadPlan(plan: Plan): Promise<void> {
  await Promise.all(
    plan.handlers.map((h) => (h.load === undefined ? Promise.resolve() : h.load())),
  );
}

/** Builds the plan only to find its errors, then releases what the handlers hold. */
export async function checkPlan(config: Config, options: Partial<PlanContext> = {}): Promise<Plan> {
  const plan = await buildPlan(config, options);
  await Promise.all(plan.handlers.map((h) => h.close()));
  return plan;
}
