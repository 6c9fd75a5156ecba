// Compiles a validated Config into a Plan: listeners, their site tables and handlers, built once.
import { PortaError } from '../errors.js';
import { type BuiltHandler, handlerFactories } from '../handlers/registry.js';
import type { Http1Timeouts } from '../http1/connection.js';
import type { ParserLimits } from '../http1/request-parser.js';
import type { RouteTable, SiteTable } from '../http/router.js';
import { type ListenAddress, parseListenAddress } from '../net/listen-address.js';
import type { Config, RouteConfig } from './schema.js';
import { parseDuration, parseSize } from './units.js';

export interface HttpListenerPlan {
  /** Identity across reloads: a listener with the same key keeps its socket. */
  readonly key: string;
  readonly address: ListenAddress;
  readonly sites: readonly SiteTable[];
  readonly limits: ParserLimits;
  readonly timeouts: Http1Timeouts;
  readonly maxConnections: number;
}

/** A TCP listener that does not speak HTTP. */
export interface StreamListenerPlan {
  readonly key: string;
  readonly address: ListenAddress;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
}

export interface Plan {
  readonly http: readonly HttpListenerPlan[];
  readonly streams: readonly StreamListenerPlan[];
  readonly shutdownMs: number;
  readonly log: Config['log'];
  /** Everything the handlers hold, released when this plan is retired. */
  readonly handlers: readonly BuiltHandler[];
}

function buildRoute(route: RouteConfig, built: BuiltHandler[]): RouteTable {
  let handler: BuiltHandler;
  if (route.respond !== undefined) {
    handler = handlerFactories.respond(route.respond);
  } else if (route.redirect !== undefined) {
    const { to, status, keep_path } = route.redirect;
    handler = handlerFactories.redirect({ to, status, keepPath: keep_path });
  } else {
    handler = handlerFactories.echo({});
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

export function buildPlan(config: Config): Plan {
  const limits: ParserLimits = {
    maxRequestLine: parseSize(config.limits.max_request_line),
    maxHeaderSize: parseSize(config.limits.max_header_size),
    maxHeaders: config.limits.max_headers,
    maxBodySize: parseSize(config.limits.max_body_size),
  };
  const timeouts: Http1Timeouts = {
    headerMs: parseDuration(config.timeouts.header),
    bodyMs: parseDuration(config.timeouts.body),
    idleMs: parseDuration(config.timeouts.idle),
    sendMs: parseDuration(config.timeouts.send),
  };
  const built: BuiltHandler[] = [];
  const byAddress = new Map<string, { address: ListenAddress; sites: SiteTable[] }>();
  config.sites.forEach((site, siteIndex) => {
    const table: SiteTable = {
      hosts: site.hosts.map((h) => h.toLowerCase()),
      routes: site.routes.map((route) => buildRoute(route, built)),
    };
    site.listen.forEach((text, i) => {
      const address = addressOf(text, `sites[${siteIndex}].listen[${i}]`);
      const key = listenKey(address);
      const entry = byAddress.get(key) ?? { address, sites: [] };
      entry.sites.push(table);
      byAddress.set(key, entry);
    });
  });
  const streams: StreamListenerPlan[] = [];
  config.streams.forEach((stream, streamIndex) => {
    stream.listen.forEach((text, i) => {
      const where = `streams[${streamIndex}].listen[${i}]`;
      const address = addressOf(text, where);
      if (byAddress.has(listenKey(address)) && address.port !== 0) {
        throw new PortaError(
          'PORTA_CONFIG_INVALID',
          `${where}: ${address.text} is already an HTTP listener; one address, one protocol`,
        );
      }
      streams.push({
        key: listenKey(address),
        address,
        maxConnections: config.limits.max_connections,
        idleTimeoutMs: timeouts.idleMs,
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
      maxConnections: config.limits.max_connections,
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
