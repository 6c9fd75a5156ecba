// Wraps a route's handler in its directives, once when the plan is built, in one fixed order.
import type { Handler } from '../../http/exchange.js';
export type { DirectiveContext } from './directive-context.js';
import { type BasicAuthOptions, createBasicAuth } from './basic-auth.js';
import { createBodyLimit } from './body-limit.js';
import type { DirectiveContext } from './directive-context.js';
import { type CorsOptions, createCors } from './cors.js';
import {
  type HeaderEdits,
  createRequestHeaders,
  createResponseHeaders,
  hasHeaderEdits,
} from './headers.js';
import { type IpFilterOptions, createIpFilter } from './ip-filter.js';
import { type RateLimitOptions, createRateLimit } from './rate-limit.js';

/** A route's directives, validated and resolved (site-level ones already merged in). */
export interface DirectiveOptions {
  readonly responseHeaders?: HeaderEdits | undefined;
  readonly ipFilter?: IpFilterOptions | undefined;
  readonly cors?: CorsOptions | undefined;
  readonly rateLimit?: RateLimitOptions | undefined;
  readonly basicAuth?: BasicAuthOptions | undefined;
  /** Bytes; 0 or absent means no cap beyond the listener's limits.max_body_size. */
  readonly maxBodySize?: number | undefined;
  readonly requestHeaders?: HeaderEdits | undefined;
}

/**
 * The handler behind its directives, outermost first:
 * response_headers (so every answer below gets them, 401/403/429 too) > allow/deny (a denied
 * client gets nothing else) > cors (preflights carry no credentials, so they are answered before
 * auth; 401/429 keep CORS fields so scripts can read them) > rate_limit > basic_auth >
 * max_body_size > request_headers (last, so auth sees the Authorization field the client sent)
 * > handler. With no directives the handler itself comes back: zero cost.
 */
export function composeDirectives(
  options: DirectiveOptions,
  handler: Handler,
  context?: DirectiveContext,
): Handler {
  let next = handler;
  if (options.requestHeaders !== undefined && hasHeaderEdits(options.requestHeaders)) {
    next = createRequestHeaders(options.requestHeaders, next);
  }
  if (options.maxBodySize !== undefined && options.maxBodySize > 0) {
    next = createBodyLimit(options.maxBodySize, next);
  }
  if (options.basicAuth !== undefined) next = createBasicAuth(options.basicAuth, next, context);
  if (options.rateLimit !== undefined) next = createRateLimit(options.rateLimit, next, context);
  if (options.cors !== undefined) next = createCors(options.cors, next);
  const ip = options.ipFilter;
  if (ip !== undefined && ip.allow.length + ip.deny.length > 0) next = createIpFilter(ip, next);
  if (options.responseHeaders !== undefined && hasHeaderEdits(options.responseHeaders)) {
    next = createResponseHeaders(options.responseHeaders, next);
  }
  return next;
}
