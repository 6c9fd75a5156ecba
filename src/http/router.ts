// Routes an exchange: Host to site (exact, *.wildcard, default) then longest path prefix to handler.
import type { RouteStats } from '../metrics/route-stats.js';
import type { Handler } from './exchange.js';
import type { RequestHead } from './request-head.js';
import { normalizePath } from './normalize-path.js';

export interface RouteTable {
  /** Path prefix, e.g. "/" or "/api". */
  readonly prefix: string;
  readonly handler: Handler;
  /** The route's counters (metrics); absent for routes nobody counts (the admin listener). */
  readonly stats?: RouteStats | undefined;
}

export interface SiteTable {
  /** Exact names ("example.com") and wildcards ("*.example.com"), lower case; empty = default. */
  readonly hosts: readonly string[];
  readonly routes: readonly RouteTable[];
}

/** A route compiled for matching: prefix without a trailing slash unless it is "/". */
interface CompiledRoute {
  readonly prefix: string;
  readonly bare: string;
  readonly handler: Handler;
  readonly stats: RouteStats | null;
}

type CompiledSite = readonly CompiledRoute[];

/** What the router reads and sets on an exchange, whichever protocol carries it. */
export interface RoutedExchange {
  readonly request: RequestHead;
  path: string;
  routePath: string;
  /** Set with routePath: where the finished exchange is counted. */
  routeStats: RouteStats | null;
}

/** A path that climbs above the root ("/../x"): the router answers 400 (RFC 3986 §5.2.4). */
export const BAD_PATH = 'bad-path';

export class Router {
  readonly #exact = new Map<string, CompiledSite>();
  readonly #wildcards: { readonly suffix: string; readonly site: CompiledSite }[] = [];
  readonly #fallback: CompiledSite | null;
  readonly #single: boolean;

  constructor(sites: readonly SiteTable[]) {
    let fallback: CompiledSite | null = null;
    for (const site of sites) {
      const compiled = compileRoutes(site.routes);
      if (site.hosts.length === 0) fallback ??= compiled;
      for (const host of site.hosts) {
        const name = host.toLowerCase();
        if (name.startsWith('*.')) this.#wildcards.push({ suffix: name.slice(1), site: compiled });
        else if (!this.#exact.has(name)) this.#exact.set(name, compiled);
      }
    }
    // Like nginx, the first site is the default when none is declared as one.
    const first = sites[0];
    this.#fallback = fallback ?? (first === undefined ? null : compileRoutes(first.routes));
    this.#wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
    this.#single = this.#exact.size === 0 && this.#wildcards.length === 0;
  }

  /** Finds the handler; sets exchange.path and exchange.routePath. Null = no route (404); BAD_PATH = 400. */
  route(exchange: RoutedExchange): Handler | typeof BAD_PATH | null {
    const path = normalizePath(exchange.request.path);
    if (path === null) return BAD_PATH;
    exchange.path = path;
    const site = this.#single ? this.#fallback : this.#siteFor(exchange.request.host);
    if (site === null) return null;
    for (const route of site) {
      const prefix = route.bare;
      if (
        prefix === '' ||
        (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/'))
      ) {
        exchange.routePath = route.prefix;
        exchange.routeStats = route.stats;
        return route.handler;
      }
    }
    return null;
  }

  #siteFor(hostField: string): CompiledSite | null {
    const host = hostName(hostField);
    const exact = this.#exact.get(host);
    if (exact !== undefined) return exact;
    for (const wildcard of this.#wildcards) {
      if (host.endsWith(wildcard.suffix) && host.length > wildcard.suffix.length) {
        return wildcard.site;
      }
    }
    return this.#fallback;
  }
}

function compileRoutes(routes: readonly RouteTable[]): CompiledSite {
  return routes
    .map((route) => ({
      prefix: route.prefix,
      bare: route.prefix.endsWith('/') ? route.prefix.slice(0, -1) : route.prefix,
      handler: route.handler,
      stats: route.stats ?? null,
    }))
    .sort((a, b) => b.bare.length - a.bare.length);
}

/** The host part of a Host field, lower case, without port or trailing dot. */
export function hostName(field: string): string {
  let end = field.length;
  if (field.startsWith('[')) {
    const close = field.indexOf(']');
    end = close < 0 ? end : close + 1;
  } else {
    const colon = field.lastIndexOf(':');
    if (colon >= 0) end = colon;
  }
  if (end > 0 && field.charCodeAt(end - 1) === 0x2e) end--;
  const host = end === field.length ? field : field.slice(0, end);
  return host.toLowerCase();
}
