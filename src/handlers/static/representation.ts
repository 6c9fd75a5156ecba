// A file's representations (identity, br, gzip) with their validators and header lists, built once per file version.
import type { HeaderList } from '../../http/exchange.js';
import type { Validators } from '../../http/conditional.js';
import { Coding, codingToken } from '../../http/compression.js';
import { PreparedResponse } from '../../http/prepared-response.js';

const NO_BODY = Buffer.alloc(0);

/** Header fields that depend on the handler's options only, computed once per handler. */
export interface HeaderPolicy {
  /** CORS fields that are the same on every response (`Access-Control-Allow-Origin: *`, ...). */
  readonly corsFields: HeaderList;
  /** The response varies by Origin (CORS with a list of origins). */
  readonly varyOrigin: boolean;
  /** Configured extra fields. */
  readonly extraFields: HeaderList;
}

/** One encoding of a file: its validators, ready-made header lists and where its bytes are. */
export class Variant {
  readonly coding: Coding;
  readonly validators: Validators;
  /** Header fields of a 200 (the engine adds Date, Server, Content-Length, Connection). */
  readonly ok: HeaderList;
  /** Header fields of a 304 (RFC 9110 §15.4.5: those a 200 would carry that caches update). */
  readonly notModified: HeaderList;
  /** The file holding the bytes: the file itself, or a precompressed sibling. */
  readonly path: string;
  /** Body length in bytes; -1 when compressed on the fly while streaming. */
  readonly size: number;
  /** The whole body in memory, or null when it is read from `path`. */
  body: Buffer | null;
  #prepared: PreparedResponse | null = null;
  #notModified: PreparedResponse | null = null;

  constructor(
    coding: Coding,
    validators: Validators,
    headers: { readonly ok: HeaderList; readonly notModified: HeaderList },
    path: string,
    size: number,
    body: Buffer | null,
  ) {
    this.coding = coding;
    this.validators = validators;
    this.ok = headers.ok;
    this.notModified = headers.notModified;
    this.path = path;
    this.size = size;
    this.body = body;
  }

  /** The 200 of an in-memory body as ready bytes for `sendPrepared`; null when read from disk. */
  prepared(): PreparedResponse | null {
    const body = this.body;
    if (body === null) return null;
    if (this.#prepared?.body !== body) this.#prepared = new PreparedResponse(200, this.ok, body);
    return this.#prepared;
  }

  /** The 304 as ready bytes (browsers revalidate every file under the default no-cache). */
  preparedNotModified(): PreparedResponse {
    return (this.#notModified ??= new PreparedResponse(304, this.notModified, NO_BODY));
  }
}

/** What describes a file version, gathered by the lookup. */
export interface FileFacts {
  /** Real path of the file. */
  readonly path: string;
  readonly size: number;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly lastModified: string;
  readonly lastModifiedSeconds: number;
  /** The identity ETag; coded variants append a suffix. */
  readonly etag: string;
  /** Codings that can be served (precompressed or on the fly), as flags. */
  readonly codings: number;
}

/** The representations of one file version. */
export class FileRepresentation {
  readonly facts: FileFacts;
  readonly identity: Variant;
  /** The identity's 200 fields without Content-Type, for multipart/byteranges responses. */
  readonly partialFields: HeaderList;
  /** Fields when the file is sent as an error page (no validators: an error is not this file). */
  readonly errorFields: HeaderList;
  /** Codings still on offer (flags); a coding is dropped when compressing does not pay. */
  codings: number;
  brotli: Variant | null = null;
  gzip: Variant | null = null;
  /** In-flight one-off compressions of a cached body, by coding. */
  brotliPending: Promise<Variant | null> | null = null;
  gzipPending: Promise<Variant | null> | null = null;

  constructor(facts: FileFacts, policy: HeaderPolicy, body: Buffer | null) {
    this.facts = facts;
    this.codings = facts.codings;
    const validators: Validators = {
      etag: facts.etag,
      lastModified: facts.lastModified,
      lastModifiedSeconds: facts.lastModifiedSeconds,
    };
    const headers = buildHeaders(facts, policy, Coding.None, facts.etag);
    this.identity = new Variant(Coding.None, validators, headers, facts.path, facts.size, body);
    this.partialFields = headers.ok.slice(2);
    this.errorFields = [
      'Content-Type',
      facts.contentType,
      'X-Content-Type-Options',
      'nosniff',
      ...policy.corsFields,
    ];
  }

  /** The ready variant for a coding, or null when it has yet to be made (or does not exist). */
  variant(coding: Coding): Variant | null {
    if (coding === Coding.Brotli) return this.brotli;
    if (coding === Coding.Gzip) return this.gzip;
    return this.identity;
  }

  /** Stores the variant for a coding. */
  setVariant(variant: Variant): void {
    if (variant.coding === Coding.Brotli) this.brotli = variant;
    else if (variant.coding === Coding.Gzip) this.gzip = variant;
  }
}

/** Builds a coded variant's validators and headers: its own ETag (suffix), Content-Encoding. */
export function createCodedVariant(
  facts: FileFacts,
  policy: HeaderPolicy,
  coding: Coding.Brotli | Coding.Gzip,
  etag: string,
  path: string,
  size: number,
  body: Buffer | null,
): Variant {
  const validators: Validators = {
    etag,
    lastModified: facts.lastModified,
    lastModifiedSeconds: facts.lastModifiedSeconds,
  };
  return new Variant(
    coding,
    validators,
    buildHeaders(facts, policy, coding, etag),
    path,
    size,
    body,
  );
}

/** The 200 and 304 header lists of one variant, in a stable order. */
function buildHeaders(
  facts: FileFacts,
  policy: HeaderPolicy,
  coding: Coding,
  etag: string,
): { ok: string[]; notModified: string[] } {
  const ok: string[] = ['Content-Type', facts.contentType];
  const shared: string[] = ['ETag', etag, 'Last-Modified', facts.lastModified];
  if (facts.cacheControl !== '') shared.push('Cache-Control', facts.cacheControl);
  const vary = varyValue(facts.codings !== 0, policy.varyOrigin);
  if (vary !== '') shared.push('Vary', vary);
  ok.push(...shared);
  // RFC 9110 §14.3: ranges are offered on the identity only (no ranges of compressed bodies).
  if (coding === Coding.None) ok.push('Accept-Ranges', 'bytes');
  else ok.push('Content-Encoding', codingToken(coding));
  ok.push('X-Content-Type-Options', 'nosniff', ...policy.corsFields, ...policy.extraFields);
  const notModified = [...shared, ...policy.corsFields, ...policy.extraFields];
  return { ok, notModified };
}

/** The Vary value (RFC 9110 §12.5.5) for what a response depends on, "" for nothing. */
export function varyValue(byEncoding: boolean, byOrigin: boolean): string {
  if (byEncoding && byOrigin) return 'Accept-Encoding, Origin';
  if (byEncoding) return 'Accept-Encoding';
  return byOrigin ? 'Origin' : '';
}
