// What a TLS site adds around its routes: the ACME challenge folder, HSTS, and its HTTP-to-HTTPS redirect table.
import { join } from 'node:path';
import {
  type BuiltHandler,
  type HandlerContext,
  loadHandlerFactory,
} from '../handlers/registry.js';
import type { RouteTable, SiteTable } from '../http/router.js';
import type { SiteConfig } from './schema.js';
import { staticOptionsFromConfig } from './static-options.js';
import { hstsValue } from './tls-options.js';

/** certbot --webroot writes its tokens here, below the folder it is given (RFC 8555 §8.3). */
export const ACME_CHALLENGE_PATH = '/.well-known/acme-challenge/';

/**
 * A static route for the challenge tokens, uncached (a token lives for seconds). The schema
 * fills in the static defaults: loaded only for a config with an acme_webroot.
 */
export async function acmeRoute(
  webroot: string,
  baseDir: string,
  built: BuiltHandler[],
  context: HandlerContext,
): Promise<RouteTable> {
  const { StaticSchema } = await import('./static-schema.js');
  const options = StaticSchema.parse({
    root: join(webroot, ACME_CHALLENGE_PATH),
    cache_control: 'no-store',
    compress: false,
    file_cache: { stat_ttl: 0 },
  });
  const handler = (await loadHandlerFactory('static'))(
    staticOptionsFromConfig(options, baseDir),
    context,
  );
  built.push(handler);
  return { prefix: ACME_CHALLENGE_PATH, handler: handler.handler };
}

/** The site with Strict-Transport-Security set on every response, unless it sets the field itself. */
export function withHsts(site: SiteConfig): SiteConfig {
  const value = site.tls === undefined ? null : hstsValue(site.tls);
  if (value === null) return site;
  const edits = site.response_headers ?? { set: {}, add: {}, remove: [] };
  const own = Object.keys(edits.set).some((n) => n.toLowerCase() === 'strict-transport-security');
  if (own) return site;
  return {
    ...site,
    response_headers: { ...edits, set: { ...edits.set, 'Strict-Transport-Security': value } },
  };
}

/** The cleartext side of a TLS site: a 308 to https on `httpsPort` for everything but ACME tokens. */
export async function redirectTable(
  hosts: readonly string[],
  httpsPort: number,
  acme: RouteTable | null,
  built: BuiltHandler[],
  context: HandlerContext,
): Promise<SiteTable> {
  const redirect = (await loadHandlerFactory('redirect'))(
    { to: 'https://', status: 308, keepPath: true, httpsPort },
    context,
  );
  built.push(redirect);
  const routes: RouteTable[] = [{ prefix: '/', handler: redirect.handler }];
  if (acme !== null) routes.push(acme);
  return { hosts, routes };
}
