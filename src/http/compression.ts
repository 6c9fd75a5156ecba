// Content codings (RFC 9110 §8.4, §12.5.3): negotiate Accept-Encoding, pick what to compress, make zlib streams.
import type { BrotliOptions, ZlibOptions } from 'node:zlib';
import type { Transform } from 'node:stream';
import { nodeZlib } from '../lazy-builtins.js';

/** The codings porta produces, as bit flags so one number says what a client accepts. */
export const enum Coding {
  None = 0,
  Gzip = 1,
  Brotli = 2,
}

/** The Content-Encoding token of a coding. */
export function codingToken(coding: Coding.Gzip | Coding.Brotli): string {
  return coding === Coding.Brotli ? 'br' : 'gzip';
}

/** Parsed Accept-Encoding values, by field value: clients send a handful of distinct strings. */
const acceptCache = new Map<string, number>();
const ACCEPT_CACHE_LIMIT = 256;

/**
 * The codings (bit flags) an Accept-Encoding value allows (RFC 9110 §12.5.3): a coding is
 * acceptable when listed (or matched by `*`) with a q-value above 0. `x-gzip` counts as gzip
 * (§8.4.1.3). Results are memoised by value, so a browser's constant field costs a Map lookup.
 */
export function acceptedCodings(value: string | undefined): number {
  if (value === undefined || value === '') return Coding.None;
  const cached = acceptCache.get(value);
  if (cached !== undefined) return cached;
  const result = parseAcceptEncoding(value);
  if (acceptCache.size >= ACCEPT_CACHE_LIMIT) acceptCache.clear();
  acceptCache.set(value, result);
  return result;
}

function parseAcceptEncoding(value: string): number {
  let gzip = -1; // -1 not mentioned, else its q-value
  let br = -1;
  let star = -1;
  for (const element of value.split(',')) {
    const semi = element.indexOf(';');
    const token = (semi === -1 ? element : element.slice(0, semi)).trim().toLowerCase();
    if (token === '') continue;
    const q = semi === -1 ? 1 : parseQValue(element.slice(semi + 1));
    if (token === 'gzip' || token === 'x-gzip') gzip = Math.max(gzip, q);
    else if (token === 'br') br = Math.max(br, q);
    else if (token === '*') star = q;
  }
  if (gzip === -1) gzip = star;
  if (br === -1) br = star;
  return (gzip > 0 ? Coding.Gzip : 0) | (br > 0 ? Coding.Brotli : 0);
}

/** The q parameter of an element's parameters (RFC 9110 §12.4.2); 1 when absent, 0 when malformed. */
function parseQValue(parameters: string): number {
  for (const parameter of parameters.split(';')) {
    const eq = parameter.indexOf('=');
    if (eq === -1) continue;
    if (parameter.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const q = Number(parameter.slice(eq + 1).trim());
    return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
  }
  return 1;
}

/**
 * The coding to send among those `available` (flags) and `accepted` (flags): brotli first (smaller
 * for text), then gzip, else none (identity).
 */
export function chooseCoding(accepted: number, available: number): Coding {
  const both = accepted & available;
  if ((both & Coding.Brotli) !== 0) return Coding.Brotli;
  if ((both & Coding.Gzip) !== 0) return Coding.Gzip;
  return Coding.None;
}

/** Media types (without parameters) worth compressing beyond text/*. */
const COMPRESSIBLE = new Set([
  'application/javascript',
  'application/json',
  'application/ld+json',
  'application/manifest+json',
  'application/wasm',
  'application/xml',
  'application/xhtml+xml',
  'application/rss+xml',
  'application/atom+xml',
  'application/geo+json',
  'application/graphql-response+json',
  'application/x-javascript',
  'application/x-ndjson',
  'application/x-sh',
  'application/x-tar',
  'application/vnd.ms-fontobject',
  'application/vnd.apple.mpegurl',
  'font/otf',
  'font/ttf',
  'font/collection',
  'image/svg+xml',
  'image/bmp',
  'image/vnd.microsoft.icon',
  'image/x-icon',
]);

/**
 * Whether a media type (no parameters) gains from compression: text, JSON, XML, JavaScript,
 * SVG, WebAssembly, uncompressed fonts. Images, video, audio, archives and woff/woff2 are
 * already compressed. Runs once per file when its representation is built, not per request.
 */
export function isCompressible(mediaType: string): boolean {
  if (mediaType.startsWith('text/')) return true;
  if (COMPRESSIBLE.has(mediaType)) return true;
  return mediaType.endsWith('+json') || mediaType.endsWith('+xml');
}

/** Above this size, cached compression uses a medium brotli quality: quality 11 costs seconds per MiB. */
const MAX_BEST_QUALITY_SIZE = 128 * 1024;

/** Compression settings: brotli quality 4 / gzip 6 to stream, up to 11 / 9 to compress once and cache. */
function brotliOptions(cached: boolean, size: number): BrotliOptions {
  const zlibConstants = nodeZlib().constants;
  const params: Record<number, number> = {
    [zlibConstants.BROTLI_PARAM_QUALITY]: cached ? (size <= MAX_BEST_QUALITY_SIZE ? 11 : 6) : 4,
    [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
  };
  if (size > 0) params[zlibConstants.BROTLI_PARAM_SIZE_HINT] = size;
  return { params };
}

function gzipOptions(cached: boolean): ZlibOptions {
  return { level: cached ? 9 : 6 };
}

/** A zlib stream that compresses on the fly (fast settings); `size` is a hint, 0 if unknown. */
export function createCompressor(coding: Coding.Gzip | Coding.Brotli, size: number): Transform {
  const zlib = nodeZlib();
  return coding === Coding.Brotli
    ? zlib.createBrotliCompress(brotliOptions(false, size))
    : zlib.createGzip(gzipOptions(false));
}

/** Compresses a whole buffer off the event loop (zlib's thread pool), with cache-worthy settings. */
export function compressBuffer(
  coding: Coding.Gzip | Coding.Brotli,
  input: Buffer,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, output: Buffer): void => {
      if (error === null) resolve(output);
      else reject(error);
    };
    const zlib = nodeZlib();
    if (coding === Coding.Brotli)
      zlib.brotliCompress(input, brotliOptions(true, input.length), done);
    else zlib.gzip(input, gzipOptions(true), done);
  });
}
