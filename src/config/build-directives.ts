// Resolves a route's directives (its own keys over its site's) into DirectiveOptions, and wraps its handler.
import {
  type DirectiveContext,
  type DirectiveOptions,
  composeDirectives,
} from '../handlers/directives/compose.js';
import type { HeaderEdits } from '../handlers/directives/headers.js';
import { parsePasswordHash } from '../handlers/directives/password-hash.js';
import { parseRate } from '../handlers/directives/rate-limit.js';
import type { RouteTable } from '../http/router.js';
import { parseCidr } from '../net/cidr.js';
import type { DirectiveConfig, HeaderEditsConfig } from './directive-schema.js';
import { parseDuration, parseSize } from './units.js';

/**
 * Header edits of the site, then the route's: a route that sets or removes a name drops what the
 * site set or added under it, so one field never comes out twice.
 */
export function mergeHeaderEdits(
  site: HeaderEditsConfig | undefined,
  route: HeaderEditsConfig | undefined,
): HeaderEdits {
  const set = new Map<string, [string, string]>();
  const add: [string, string][] = [];
  const remove = new Set<string>();
  for (const edits of [site, route]) {
    if (edits === undefined) continue;
    const replaced = new Set([
      ...edits.remove.map((n) => n.toLowerCase()),
      ...Object.keys(edits.set).map((n) => n.toLowerCase()),
    ]);
    for (const name of replaced) set.delete(name);
    for (let i = add.length - 1; i >= 0; i--) {
      if (replaced.has((add[i] as [string, string])[0].toLowerCase())) add.splice(i, 1);
    }
    for (const name of edits.remove) remove.add(name.toLowerCase());
    for (const [name, value] of Object.entries(edits.set))
      set.set(name.toLowerCase(), [name, value]);
    for (const [name, values] of Object.entries(edits.add)) {
      for (const value of typeof values === 'string' ? [values] : values) add.push([name, value]);
    }
  }
  return { set: [...set.values()].flat(), add: add.flat(), remove: [...remove] };
}

/** The route's key when it has one, else the site's. */
function pick<K extends keyof DirectiveConfig>(
  site: DirectiveConfig,
  route: DirectiveConfig,
  key: K,
): DirectiveConfig[K] {
  return route[key] !== undefined ? route[key] : site[key];
}

/** Typed, parsed options for compose; the config was validated, so parsing cannot fail here. */
export function directiveOptions(site: DirectiveConfig, route: DirectiveConfig): DirectiveOptions {
  const basicAuth = pick(site, route, 'basic_auth');
  const rateLimit = pick(site, route, 'rate_limit');
  const cors = pick(site, route, 'cors');
  const maxBodySize = pick(site, route, 'max_body_size');
  const allow = pick(site, route, 'allow') ?? [];
  const deny = pick(site, route, 'deny') ?? [];
  const options: DirectiveOptions = {
    requestHeaders: mergeHeaderEdits(site.request_headers, route.request_headers),
    responseHeaders: mergeHeaderEdits(site.response_headers, route.response_headers),
    ipFilter: { allow: allow.map(parseCidr), deny: deny.map(parseCidr) },
    basicAuth:
      basicAuth === undefined || basicAuth === false
        ? undefined
        : {
            realm: basicAuth.realm,
            users: basicAuth.users.map((u) => ({
              user: u.user,
              hash: parsePasswordHash(u.password_hash),
            })),
            maxFailures: basicAuth.max_failures,
            lockoutMs: parseDuration(basicAuth.lockout),
          },
    rateLimit:
      rateLimit === undefined || rateLimit === false
        ? undefined
        : {
            perSecond: parseRate(rateLimit.rate),
            burst: rateLimit.burst ?? Math.max(1, Math.ceil(parseRate(rateLimit.rate))),
            maxClients: rateLimit.max_clients,
          },
    cors:
      cors === undefined || cors === false
        ? undefined
        : {
            origins: cors.origins,
            methods: cors.methods,
            headers: cors.headers,
            exposeHeaders: cors.expose_headers,
            credentials: cors.credentials,
            maxAgeSeconds:
              cors.max_age === undefined ? null : Math.round(parseDuration(cors.max_age) / 1000),
          },
    maxBodySize: maxBodySize === undefined ? undefined : parseSize(maxBodySize),
  };
  return options;
}

/** The route with its handler wrapped in the directives of the route and its site. */
export function withDirectives(
  table: RouteTable,
  site: DirectiveConfig,
  route: DirectiveConfig,
  context: DirectiveContext,
): RouteTable {
  const handler = composeDirectives(directiveOptions(site, route), table.handler, context);
  return handler === table.handler ? table : { ...table, handler };
}
