// The static file handler: request path -> cached entry -> representation, preconditions, ranges, coding.
import { realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Exchange, Handler, HeaderList } from '../../http/exchange.js';
import { findHeader } from '../../http/request-head.js';
import { acceptedCodings, chooseCoding, Coding } from '../../http/compression.js';
import { evaluateIfRange, evaluatePreconditions, Precondition } from '../../http/conditional.js';
import { formatUnsatisfiedRange, parseRange, RangeResultKind } from '../../http/range.js';
import { Cors } from './cors.js';
import { Entry, EntryKind } from './entry.js';
import { FileCache } from './file-cache.js';
import { compileGlob } from './glob.js';
import type { buildListing } from './listing.js';
import { makeCodedVariant } from './coded-variant.js';
import { Lookup } from './lookup.js';
import type { StaticContext, StaticOptions } from './options.js';
import type { PreparedResponse } from '../../http/prepared-response.js';
import type { FileRepresentation, HeaderPolicy, Variant } from './representation.js';
import { RequestFields } from './request-fields.js';
import { sendMultipleRanges, sendSingleRange, sendVariant } from './send-file.js';
import { NO_INDEX_PAGE, errorBody, errorFields, noIndexFields } from './error-response.js';

const ALLOW = 'GET, HEAD, OPTIONS';

/** The folder listing's code: loaded for the first route that lists folders (see load()). */
let listingCode: Promise<typeof buildListing> | null = null;

function loadListing(): Promise<typeof buildListing> {
  listingCode ??= import('./listing.js').then((loaded) => loaded.buildListing);
  return listingCode;
}

/** Serves a folder. One instance per route; `close()` releases its cache and watchers. */
export class StaticHandler implements Handler {
  readonly #options: StaticOptions;
  readonly #context: StaticContext;
  readonly #lookup: Lookup;
  readonly #cache: FileCache;
  readonly #cors: Cors | null;
  readonly #policy: HeaderPolicy;
  readonly #ttl: number;
  /** Set by load() when this route lists folders. */
  #buildListing: typeof buildListing | null = null;
  /** Misses being resolved, so concurrent requests for one path share one lookup. */
  readonly #pending = new Map<string, Promise<Entry>>();

  constructor(options: StaticOptions, context: StaticContext) {
    this.#options = options;
    this.#context = context;
    let root = options.root;
    try {
      root = realpathSync(options.root);
    } catch (error) {
      context.logger.warning(
        `static: root ${options.root} is not readable (${(error as NodeJS.ErrnoException).code ?? String(error)}); every request gets 404 until it exists`,
      );
    }
    this.#cors = options.cors === null ? null : new Cors(options.cors);
    this.#policy = {
      corsFields: this.#cors?.fixedFields ?? [],
      varyOrigin: this.#cors?.byOrigin ?? false,
      extraFields: options.headers,
    };
    this.#lookup = new Lookup(options, root, this.#policy, options.immutable.map(compileGlob));
    this.#cache = new FileCache(
      options.cache.maxEntries,
      options.cache.maxSize,
      options.cache.watch,
    );
    this.#ttl = options.cache.statTtlMs;
  }

  /** Before the first request (the plan's load): the listing's code, if this route lists folders. */
  async load(): Promise<void> {
    if (this.#options.listing) this.#buildListing = await loadListing();
  }

  handle(exchange: Exchange): void | Promise<void> {
    const method = exchange.request.method;
    if (method !== 'GET' && method !== 'HEAD') {
      this.#otherMethod(exchange, method);
      return;
    }
    const key = keyOf(exchange);
    if (key === '') {
      this.#redirect(exchange, '/');
      return;
    }
    // Hot path: a cached entry checked against the filesystem less than a TTL ago, no fs call.
    const entry = this.#cache.get(key);
    if (entry !== undefined && performance.now() - entry.checkedAt < this.#ttl) {
      return this.#answer(exchange, entry);
    }
    return this.#answerLater(exchange, key, entry);
  }

  /** Releases the cache and its directory watchers. */
  close(): Promise<void> {
    this.#cache.close();
    return Promise.resolve();
  }

  /** The cache's size, for tests and diagnostics. */
  get cacheStats(): { readonly entries: number; readonly bytes: number; readonly watched: number } {
    return this.#cache.stats;
  }

  async #answerLater(exchange: Exchange, key: string, stale: Entry | undefined): Promise<void> {
    const entry = await this.#refresh(key, stale);
    return this.#answer(exchange, entry);
  }

  /** The current entry for a key, synchronously when the cached one is fresh. */
  #current(key: string): Entry | Promise<Entry> {
    const entry = this.#cache.get(key);
    if (entry !== undefined && performance.now() - entry.checkedAt < this.#ttl) return entry;
    return this.#refresh(key, entry);
  }

  /** Resolves a missing key or revalidates a stale entry, sharing the work among concurrent requests. */
  #refresh(key: string, stale: Entry | undefined): Promise<Entry> {
    if (stale !== undefined) {
      stale.revalidation ??= this.#revalidate(key, stale);
      return stale.revalidation;
    }
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#resolve(key, undefined);
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #revalidate(key: string, stale: Entry): Promise<Entry> {
    try {
      return await this.#resolve(key, stale);
    } finally {
      stale.revalidation = null;
    }
  }

  /** Looks a key up on disk; keeps `stale` when nothing changed, else loads and caches the new entry. */
  async #resolve(key: string, stale: Entry | undefined): Promise<Entry> {
    const started = performance.now();
    try {
      const entry = await this.#lookup.resolve(key);
      if (stale !== undefined && entry.fingerprint === stale.fingerprint) {
        stale.checkedAt = started;
        return stale;
      }
      entry.checkedAt = started;
      await this.#lookup.load(entry);
      this.#cache.set(key, entry);
      if (this.#context.logger.debugEnabled) {
        this.#context.logger.debug(`static: ${key} -> ${describe(entry)}`);
      }
      return entry;
    } finally {
      if (stale === undefined) this.#pending.delete(key);
    }
  }

  #answer(exchange: Exchange, entry: Entry): void | Promise<void> {
    switch (entry.kind) {
      case EntryKind.File:
        return this.#sendFile(exchange, entry, entry.representation as FileRepresentation);
      case EntryKind.Redirect:
        this.#redirect(exchange, entry.location);
        return;
      case EntryKind.Listing:
        return this.#listing(exchange, entry);
      case EntryKind.NotFound:
        return this.#notFound(exchange);
      case EntryKind.Forbidden:
        return this.#error(exchange, 403);
      case EntryKind.BadRequest:
        return this.#error(exchange, 400);
      case EntryKind.NoIndex:
        return this.#noIndex(exchange);
    }
  }

  #sendFile(
    exchange: Exchange,
    entry: Entry,
    representation: FileRepresentation,
  ): void | Promise<void> {
    const fields = new RequestFields(exchange.request.headers);
    // Ranges are served from the identity (no ranges of compressed bodies), so skip negotiation.
    if (representation.codings !== 0 && fields.range === undefined) {
      const coding = chooseCoding(acceptedCodings(fields.acceptEncoding), representation.codings);
      if (coding !== Coding.None) {
        const variant = representation.variant(coding);
        if (variant !== null) return this.#sendVariant(exchange, representation, variant, fields);
        return this.#sendAfterCoding(exchange, entry, representation, coding, fields);
      }
    }
    return this.#sendVariant(exchange, representation, representation.identity, fields);
  }

  async #sendAfterCoding(
    exchange: Exchange,
    entry: Entry,
    representation: FileRepresentation,
    coding: Coding.Brotli | Coding.Gzip,
    fields: RequestFields,
  ): Promise<void> {
    const cache = this.#cache;
    const logger = this.#context.logger;
    const variant = await makeCodedVariant(representation, coding, this.#policy, {
      grew: (bytes) => {
        cache.grow(entry, bytes);
      },
      failed: (message) => {
        logger.warning(message);
      },
    });
    return this.#sendVariant(exchange, representation, variant ?? representation.identity, fields);
  }

  /** Preconditions (RFC 9110 §13.2.2), then Range (§14.2), then the whole variant. */
  #sendVariant(
    exchange: Exchange,
    representation: FileRepresentation,
    variant: Variant,
    fields: RequestFields,
  ): void | Promise<void> {
    const precondition = evaluatePreconditions(fields, variant.validators, true);
    if (precondition === Precondition.NotModified) {
      this.#sendPrepared(exchange, variant.preparedNotModified());
      return;
    }
    if (precondition === Precondition.Failed) return this.#error(exchange, 412);
    const head = exchange.request.method === 'HEAD';
    if (
      fields.range !== undefined &&
      variant.coding === Coding.None &&
      (fields.ifRange === undefined || evaluateIfRange(fields.ifRange, variant.validators))
    ) {
      const size = representation.facts.size;
      const result = parseRange(fields.range, size, this.#options.maxRanges);
      if (result.kind === RangeResultKind.Unsatisfiable) {
        // RFC 9110 §15.5.17: 416 names the current length.
        return this.#error(exchange, 416, ['Content-Range', formatUnsatisfiedRange(size)]);
      }
      if (result.kind === RangeResultKind.Ranges) {
        const ranges = result.ranges;
        const sent =
          ranges.length === 1
            ? sendSingleRange(
                exchange,
                this.#withOrigin(exchange, variant.ok),
                representation,
                ranges[0] as (typeof ranges)[0],
                head,
              )
            : sendMultipleRanges(
                exchange,
                representation,
                ranges,
                head,
                this.#originFields(exchange),
              );
        return this.#afterSend(exchange, sent);
      }
    }
    const prepared = variant.prepared();
    if (prepared !== null) {
      this.#sendPrepared(exchange, prepared);
      return;
    }
    return this.#afterSend(
      exchange,
      sendVariant(exchange, 200, this.#withOrigin(exchange, variant.ok), variant, head),
    );
  }

  /** A file that vanished between its stat and its open: forget it and answer 404. */
  async #afterSend(exchange: Exchange, sent: Promise<boolean>): Promise<void> {
    if (await sent) return;
    return this.#error(exchange, 404);
  }

  #redirect(exchange: Exchange, location: string): void {
    const request = exchange.request;
    const target = routePrefix(exchange) + location + request.query;
    exchange.send(
      301,
      ['Location', target, ...errorFields(this.#policy.corsFields)],
      errorBody(301),
    );
  }

  async #notFound(exchange: Exchange): Promise<void> {
    const spa = this.#options.spa;
    if (spa !== null) {
      // SPA fallback: a page navigation (Accept names text/html) to a path that is not a file
      // gets the app's index with 200; scripts and images asking for a missing file still 404.
      const accept = findHeader(exchange.request.headers, 'accept');
      if (accept?.includes('text/html') === true) {
        const entry = await this.#current(spa);
        if (entry.kind === EntryKind.File) {
          return this.#sendFile(exchange, entry, entry.representation as FileRepresentation);
        }
      }
    }
    return this.#error(exchange, 404);
  }

  /** `/` of a folder without index.html: a hint page, unless the SPA or a 404.html has a say. */
  async #noIndex(exchange: Exchange): Promise<void> {
    if (this.#options.spa !== null) return this.#notFound(exchange);
    const page = this.#options.errorPages.get(404);
    if (page !== undefined && (await this.#current(page)).kind === EntryKind.File) {
      return this.#error(exchange, 404);
    }
    const cors = this.#withOrigin(exchange, this.#policy.corsFields);
    exchange.send(404, noIndexFields(cors), NO_INDEX_PAGE);
  }

  async #listing(exchange: Exchange, entry: Entry): Promise<void> {
    let listing;
    try {
      // Loaded by load() already, unless the handler was made without a plan (then once here).
      const build = this.#buildListing ?? (this.#buildListing = await loadListing());
      listing = await build(
        entry.directory,
        routePrefix(exchange) + entry.urlPath,
        findHeader(exchange.request.headers, 'accept') ?? '',
        {
          showHidden: this.#options.dotfiles === 'allow',
          atRoot: entry.urlPath === '/',
          isAllowed: (real) => this.#lookup.isAllowed(real),
          varyOrigin: this.#policy.varyOrigin,
        },
      );
    } catch {
      entry.checkedAt = -Infinity;
      return this.#error(exchange, 404);
    }
    const headers = [...listing.headers, ...this.#withOrigin(exchange, this.#policy.corsFields)];
    exchange.send(200, headers, listing.body);
  }

  /** OPTIONS (with CORS preflight) gets 204; other methods 405 with Allow (RFC 9110 §15.5.6). */
  #otherMethod(exchange: Exchange, method: string): void {
    const headers = exchange.request.headers;
    if (method === 'OPTIONS') {
      if (
        this.#cors !== null &&
        findHeader(headers, 'access-control-request-method') !== undefined
      ) {
        const preflight = this.#cors.preflightFields(
          findHeader(headers, 'origin'),
          findHeader(headers, 'access-control-request-headers'),
        );
        if (preflight !== null) {
          exchange.send(204, preflight);
          return;
        }
      }
      exchange.send(204, ['Allow', ALLOW]);
      return;
    }
    exchange.send(405, ['Allow', ALLOW, ...errorFields(this.#policy.corsFields)], errorBody(405));
  }

  /** An error status: the configured error page when there is one, else a short text. */
  async #error(exchange: Exchange, status: number, extra: HeaderList = []): Promise<void> {
    const cors = this.#withOrigin(exchange, this.#policy.corsFields);
    const page = this.#options.errorPages.get(status);
    if (page !== undefined) {
      const entry = await this.#current(page);
      const representation = entry.representation;
      if (entry.kind === EntryKind.File && representation !== null) {
        const fields = [...representation.errorFields, ...extra, ...cors];
        const head = exchange.request.method === 'HEAD';
        if (await sendVariant(exchange, status, fields, representation.identity, head)) return;
      }
    }
    exchange.send(status, [...errorFields(cors), ...extra], errorBody(status));
  }

  /** A whole answer from memory: its ready bytes, unless CORS fields depend on the Origin. */
  #sendPrepared(exchange: Exchange, response: PreparedResponse): void {
    const headers = this.#withOrigin(exchange, response.headers);
    if (headers === response.headers) exchange.sendPrepared(response);
    else exchange.send(response.status, headers, response.body);
  }

  /** A header list plus the Origin-dependent CORS fields, when CORS depends on the Origin. */
  #withOrigin(exchange: Exchange, headers: HeaderList): HeaderList {
    if (this.#cors === null || !this.#cors.byOrigin) return headers;
    const fields = this.#cors.originFields(findHeader(exchange.request.headers, 'origin'));
    return fields.length === 0 ? headers : [...headers, ...fields];
  }

  #originFields(exchange: Exchange): HeaderList {
    return this.#withOrigin(exchange, []);
  }
}

/**
 * The path below the route prefix (dot-segments removed by the router, still percent-encoded);
 * "" when the request names the prefix itself.
 */
function keyOf(exchange: Exchange): string {
  const path = exchange.path;
  const route = exchange.routePath;
  if (route === '/' || route === '') return path;
  const length = route.endsWith('/') ? route.length - 1 : route.length;
  return path.length <= length ? '' : path.slice(length);
}

/** The route prefix without its trailing slash ("" for the root route), to build URLs. */
function routePrefix(exchange: Exchange): string {
  const route = exchange.routePath;
  if (route === '/' || route === '') return '';
  return route.endsWith('/') ? route.slice(0, -1) : route;
}

function describe(entry: Entry): string {
  switch (entry.kind) {
    case EntryKind.File:
      return `file ${entry.representation?.facts.path ?? ''}`;
    case EntryKind.Redirect:
      return `redirect ${entry.location}`;
    case EntryKind.Listing:
      return `listing ${entry.directory}`;
    case EntryKind.NotFound:
      return 'not found';
    case EntryKind.Forbidden:
      return 'forbidden';
    case EntryKind.BadRequest:
      return 'bad request';
    case EntryKind.NoIndex:
      return 'root without index';
  }
}
