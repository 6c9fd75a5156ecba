// The cors directive (Fetch standard, CORS protocol): answers preflights, marks allowed origins on responses.
import type { Exchange, Handler } from '../../http/exchange.js';
import { findHeader } from '../../http/request-head.js';

export interface CorsOptions {
  /** "https://app.example", "https://*.example.com" (any subdomain), or "*" (any origin). */
  readonly origins: readonly string[];
  /** Methods a preflight allows. */
  readonly methods: readonly string[];
  /** Request fields a preflight allows; empty means whatever the preflight asks for. */
  readonly headers: readonly string[];
  /** Response fields scripts may read beyond the CORS-safelisted ones. */
  readonly exposeHeaders: readonly string[];
  /** Cookies and Authorization allowed: the origin is echoed, never "*". */
  readonly credentials: boolean;
  /** How long a browser may cache a preflight answer, in seconds; null sends no Max-Age. */
  readonly maxAgeSeconds: number | null;
}

/** Caches must keep responses apart by Origin when the answer depends on it (Fetch §3.2.5). */
const VARY_ORIGIN = ['Vary', 'Origin'];
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

interface WildcardOrigin {
  /** "https://" */
  readonly scheme: string;
  /** ".example.com" or ".example.com:8443" */
  readonly suffix: string;
}

class Cors implements Handler {
  readonly #next: Handler;
  readonly #any: boolean;
  readonly #exact: ReadonlySet<string>;
  readonly #wildcards: readonly WildcardOrigin[];
  /** The answer depends on the Origin field (listed origins, or credentials). */
  readonly #byOrigin: boolean;
  /** Fields on every allowed actual response, after Access-Control-Allow-Origin. */
  readonly #responseFields: readonly string[];
  /** The whole set for "*" without credentials: the same on every response. */
  readonly #anyFields: readonly string[];
  /** Preflight fields after Access-Control-Allow-Origin (Allow-Headers added when reflected). */
  readonly #preflightFields: readonly string[];
  readonly #reflectHeaders: boolean;

  constructor(options: CorsOptions, next: Handler) {
    this.#next = next;
    this.#any = options.origins.includes('*');
    const exact = new Set<string>();
    const wildcards: WildcardOrigin[] = [];
    for (const origin of options.origins) {
      if (origin === '*') continue;
      const star = origin.indexOf('://*.');
      if (star < 0) exact.add(origin.toLowerCase());
      else {
        wildcards.push({
          scheme: origin.slice(0, star + 3).toLowerCase(),
          suffix: origin.slice(star + 4).toLowerCase(),
        });
      }
    }
    this.#exact = exact;
    this.#wildcards = wildcards;
    // Fetch standard: "*" is ignored for credentialed requests, so credentials echo the origin.
    this.#byOrigin = !this.#any || options.credentials;
    const common: string[] = [];
    if (options.credentials) common.push('Access-Control-Allow-Credentials', 'true');
    const response = [...common];
    if (options.exposeHeaders.length > 0) {
      response.push('Access-Control-Expose-Headers', options.exposeHeaders.join(', '));
    }
    if (this.#byOrigin) response.push(...VARY_ORIGIN);
    this.#responseFields = response;
    this.#anyFields = ['Access-Control-Allow-Origin', '*', ...response];
    const preflight = [...common, 'Access-Control-Allow-Methods', options.methods.join(', ')];
    this.#reflectHeaders = options.headers.length === 0;
    if (!this.#reflectHeaders) {
      preflight.push('Access-Control-Allow-Headers', options.headers.join(', '));
    }
    if (options.maxAgeSeconds !== null) {
      preflight.push('Access-Control-Max-Age', String(options.maxAgeSeconds));
    }
    preflight.push('Vary', PREFLIGHT_VARY);
    this.#preflightFields = preflight;
  }

  handle(exchange: Exchange): void | Promise<void> {
    const request = exchange.request;
    const origin = findHeader(request.headers, 'origin');
    if (origin === undefined || !this.isAllowed(origin)) {
      if (this.#byOrigin) exchange.addResponseHeaders(VARY_ORIGIN);
      return this.#next.handle(exchange);
    }
    // Fetch §4.8: a CORS-preflight request is OPTIONS with Access-Control-Request-Method.
    if (request.method === 'OPTIONS') {
      const wanted = findHeader(request.headers, 'access-control-request-method');
      if (wanted !== undefined) {
        this.#preflight(exchange, origin);
        return;
      }
    }
    exchange.addResponseHeaders(
      this.#byOrigin
        ? ['Access-Control-Allow-Origin', origin, ...this.#responseFields]
        : this.#anyFields,
    );
    return this.#next.handle(exchange);
  }

  #preflight(exchange: Exchange, origin: string): void {
    const fields = ['Access-Control-Allow-Origin', this.#byOrigin ? origin : '*'];
    for (const field of this.#preflightFields) fields.push(field);
    if (this.#reflectHeaders) {
      const asked = findHeader(exchange.request.headers, 'access-control-request-headers');
      if (asked !== undefined && asked !== '') fields.push('Access-Control-Allow-Headers', asked);
    }
    exchange.send(204, fields);
  }

  /** Whether `origin` may read; "null" (sandboxed pages, files) is never echoed unless listed. */
  isAllowed(origin: string): boolean {
    if (this.#exact.has(origin)) return true;
    const lower = origin.toLowerCase();
    if (lower !== origin && this.#exact.has(lower)) return true;
    if (lower === 'null') return !this.#byOrigin; // "*" alone: any page may read, not with cookies
    for (const wildcard of this.#wildcards) {
      if (matchesWildcard(lower, wildcard)) return true;
    }
    return this.#any;
  }
}

/** "https://a.b.example.com" against scheme "https://" and suffix ".example.com". */
function matchesWildcard(origin: string, wildcard: WildcardOrigin): boolean {
  const { scheme, suffix } = wildcard;
  if (origin.length <= scheme.length + suffix.length) return false;
  if (!origin.startsWith(scheme) || !origin.endsWith(suffix)) return false;
  // The part the star stands for is host labels only: no port, path or userinfo slipping in.
  for (let i = scheme.length; i < origin.length - suffix.length; i++) {
    const code = origin.charCodeAt(i);
    const isLabel =
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x2d ||
      code === 0x2e;
    if (!isLabel) return false;
  }
  return true;
}

/** Wraps `next` with CORS: preflights answered here (204), allowed origins marked on responses. */
export function createCors(options: CorsOptions, next: Handler): Handler {
  return new Cors(options, next);
}
