// CORS for static files (Fetch standard, CORS protocol): fixed fields, per-origin fields, preflight answers.
import type { HeaderList } from '../../http/exchange.js';
import type { CorsOptions } from './options.js';

/** Response fields a script may read beyond the CORS-safelisted ones. */
const EXPOSED = 'Accept-Ranges, Content-Encoding, Content-Range, ETag';
const METHODS = 'GET, HEAD, OPTIONS';

/** CORS behaviour compiled from options once per handler. */
export class Cors {
  /** Fields identical on every response (empty when they depend on the Origin). */
  readonly fixedFields: HeaderList;
  /** Whether the answer depends on the request's Origin (a list of origins, or credentials). */
  readonly byOrigin: boolean;
  readonly #origins: ReadonlySet<string>;
  readonly #credentials: boolean;
  readonly #maxAge: string;

  constructor(options: CorsOptions) {
    const any = options.origins.includes('*');
    // Fetch standard: "*" is not honoured with credentials, so credentials always echo the origin.
    this.byOrigin = !any || options.credentials;
    this.#origins = new Set(options.origins);
    this.#credentials = options.credentials;
    this.#maxAge = String(options.maxAgeSeconds);
    this.fixedFields = this.byOrigin
      ? []
      : ['Access-Control-Allow-Origin', '*', 'Access-Control-Expose-Headers', EXPOSED];
  }

  /** Fields for a request from `origin` when they depend on it; empty when it is not allowed. */
  originFields(origin: string | undefined): HeaderList {
    if (!this.byOrigin || origin === undefined || !this.#allows(origin)) return [];
    const fields = [
      'Access-Control-Allow-Origin',
      origin,
      'Access-Control-Expose-Headers',
      EXPOSED,
    ];
    if (this.#credentials) fields.push('Access-Control-Allow-Credentials', 'true');
    return fields;
  }

  /**
   * The fields of a preflight answer (204) for an OPTIONS request, or null when the origin is not
   * allowed (then the browser fails the request, which is the point).
   */
  preflightFields(origin: string | undefined, requestHeaders: string | undefined): string[] | null {
    if (origin === undefined) return null;
    const fields: string[] = [];
    if (!this.byOrigin) fields.push('Access-Control-Allow-Origin', '*');
    else if (this.#allows(origin)) {
      fields.push('Access-Control-Allow-Origin', origin, 'Vary', 'Origin');
      if (this.#credentials) fields.push('Access-Control-Allow-Credentials', 'true');
    } else return null;
    fields.push('Access-Control-Allow-Methods', METHODS);
    // Static files have no use for request headers but Range and the validators; echoing what
    // was asked keeps the answer honest without a list to maintain.
    if (requestHeaders !== undefined && requestHeaders !== '') {
      fields.push('Access-Control-Allow-Headers', requestHeaders);
    }
    fields.push('Access-Control-Max-Age', this.#maxAge);
    return fields;
  }

  #allows(origin: string): boolean {
    // With credentials only listed origins count: "*" would hand cookies to any site.
    return this.#origins.has(origin) || (!this.#credentials && this.#origins.has('*'));
  }
}
