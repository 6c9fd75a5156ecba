// Turns a raw request path into safe path segments below the root, rejecting every traversal spelling.

/** A request path decoded and normalised into segments that can only name something below the root. */
export interface SafePath {
  /** Decoded segments, none empty, none "." or "..", none containing "/", "\\", NUL or controls. */
  readonly segments: readonly string[];
  /** The path ended with "/" (a directory was asked for). */
  readonly trailingSlash: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const PERCENT = 37;
const SLASH = 47;
const BACKSLASH = 92;
const DOT = 46;

/**
 * Decodes and normalises the path part of a request (after the route prefix), or returns null
 * when it must be refused with 400. Each segment is percent-decoded once (so `%252e` stays the
 * literal name `%2e`), then must be valid UTF-8 (a fatal decoder rejects overlong forms such as
 * `%c0%ae`). Refused: a `..` segment in any spelling, a decoded `/` or `\` (`%2f`, `%5c`), a raw
 * backslash, NUL and other control characters, and malformed percent escapes. Empty and `.`
 * segments are dropped, so `//a/./b` is `a/b`.
 */
export function resolveRequestPath(raw: string): SafePath | null {
  if (raw.charCodeAt(0) !== SLASH) return null;
  const segments: string[] = [];
  const n = raw.length;
  let start = 1;
  while (start <= n) {
    let end = raw.indexOf('/', start);
    if (end === -1) end = n;
    if (end > start) {
      const segment = decodeSegment(raw, start, end);
      if (segment === null) return null;
      if (segment !== '.') {
        if (segment === '..') return null;
        segments.push(segment);
      }
    }
    start = end + 1;
  }
  // A trailing "/" (or "/." which names the same directory) asks for a directory.
  const last = raw.charCodeAt(n - 1);
  const trailingSlash = last === SLASH || (last === DOT && raw.charCodeAt(n - 2) === SLASH);
  return { segments, trailingSlash };
}

/** One decoded segment of raw[start, end), or null when it is malformed or dangerous. */
function decodeSegment(raw: string, start: number, end: number): string | null {
  let escaped = false;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === PERCENT) escaped = true;
    // Controls and backslashes never name a file; a request-target is ASCII (RFC 3986 §2).
    else if (c < 0x20 || c >= 0x7f || c === BACKSLASH) return null;
  }
  if (!escaped) return raw.slice(start, end);
  const bytes = new Uint8Array(end - start);
  let length = 0;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c !== PERCENT) {
      bytes[length++] = c;
      continue;
    }
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (i + 2 >= end || hi === -1 || lo === -1) return null;
    const byte = (hi << 4) | lo;
    // Decoded controls, "/" and "\" could change the path's shape: refuse them.
    if (byte < 0x20 || byte === 0x7f || byte === SLASH || byte === BACKSLASH) return null;
    bytes[length++] = byte;
    i += 2;
  }
  try {
    return decoder.decode(bytes.subarray(0, length));
  } catch {
    return null; // invalid UTF-8, overlong forms included
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Whether a path is hidden by the dotfile policy: any segment starting with "." except a first
 * segment `.well-known` (RFC 8615 keeps site metadata there).
 */
export function hasHiddenSegment(segments: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment.charCodeAt(0) === DOT && !(i === 0 && segment === '.well-known')) return true;
  }
  return false;
}

/** Percent-encodes segments back into a URL path (for redirects and listing links). */
export function encodePathSegments(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) out += '/' + encodeURIComponent(segment);
  return out;
}
