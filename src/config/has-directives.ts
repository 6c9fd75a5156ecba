// Whether a route (with its site) names any directive: only then is the directives' code loaded.
import type { DirectiveConfig } from './directive-schema.js';

/** Every directive key (directive-schema.ts's `directiveFields`; a test keeps the two equal). */
export const DIRECTIVE_KEYS: readonly (keyof DirectiveConfig)[] = [
  'request_headers',
  'response_headers',
  'basic_auth',
  'allow',
  'deny',
  'rate_limit',
  'cors',
  'max_body_size',
];

/**
 * True when the site or the route sets a directive key (even to `false` or empty: the directives
 * decide what that means). A route with none serves its handler as it is.
 */
export function hasDirectives(site: DirectiveConfig, route: DirectiveConfig): boolean {
  for (const key of DIRECTIVE_KEYS) {
    if (site[key] !== undefined || route[key] !== undefined) return true;
  }
  return false;
}
