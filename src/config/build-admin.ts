// Builds the admin listener's plan: one listener, one site, the admin handler behind allow / basic_auth.
import { type AdminSource, createAdminHandler } from '../handlers/admin/index.js';
import type { HttpListenerPlan, PlanContext } from './build-plan.js';
import { engineSettings } from './build-plan.js';
import { adminSettings } from './admin-options.js';
import { withDirectives } from './build-directives.js';
import type { Config } from './schema.js';

/** The key of the admin listener (it never shares a socket with a site). */
export const ADMIN_KEY = 'admin';

/** The admin listener's plan, or null when `admin:` is not set. */
export function buildAdminPlan(
  config: Config,
  source: AdminSource,
  context: Pick<PlanContext, 'shared' | 'logger'>,
): HttpListenerPlan | null {
  if (config.admin === undefined) return null;
  const settings = adminSettings(config.admin);
  const routeId = 'admin';
  const route = withDirectives(
    { prefix: '/', handler: createAdminHandler(source) },
    { allow: settings.allow, basic_auth: settings.basicAuth },
    {},
    { shared: context.shared, routeId, logger: context.logger },
  );
  const { limits, timeouts, http2Limits } = engineSettings(config);
  return {
    key: ADMIN_KEY,
    address: settings.address,
    sites: [{ hosts: [], routes: [route] }],
    limits,
    timeouts,
    // Cleartext HTTP/1.1: scrapers and browsers on a private port need nothing more.
    http2: 'off',
    http2Limits,
    tls: null,
  };
}
