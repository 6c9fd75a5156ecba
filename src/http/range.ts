// Byte range requests (RFC 9110 §14): parse a Range field against a representation length.

/** One satisfiable byte range, both ends inclusive (RFC 9110 §14.1.2). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export const enum RangeResultKind {
  /** No usable Range: send the whole representation with 200. */
  Ignore = 0,
  /** Syntactically fine but nothing satisfiable: 416 with `Content-Range: bytes * /length`. */
  Unsatisfiable = 1,
  /** One or more satisfiable ranges, sorted and coalesced: 206. */
  Ranges = 2,
}

export type RangeResult =
  | { readonly kind: RangeResultKind.Ignore }
  | { readonly kind: RangeResultKind.Unsatisfiable }
  | { readonly kind: RangeResultKind.Ranges; readonly ranges: readonly ByteRange[] };

const IGNORE: RangeResult = { kind: RangeResultKind.Ignore };
const UNSATISFIABLE: RangeResult = { kind: RangeResultKind.Unsatisfiable };

/** Longest digit run we accept for a position: beyond 2^53 a number loses precision. */
const MAX_DIGITS = 15;

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_DASH = 45;
const CHAR_COMMA = 44;
const CHAR_SPACE = 32;
const CHAR_TAB = 9;

/**
 * Parses `Range` (RFC 9110 §14.2) for a representation of `length` bytes.
 * Invalid syntax, another unit, or more than `maxRanges` range-specs are ignored (200; §14.2
 * lets a server ignore a Range it finds invalid or abusive). Overlapping and adjacent ranges are
 * coalesced (§14.2 allows it), so the parts never add up to more than the representation.
 */
export function parseRange(value: string, length: number, maxRanges: number): RangeResult {
  // RFC 9110 §14.1: range unit "bytes", case-insensitive, then "=".
  if (value.length < 7 || value.charCodeAt(5) !== 61 /* = */) return IGNORE;
  const unit = value.slice(0, 5);
  if (unit !== 'bytes' && unit.toLowerCase() !== 'bytes') return IGNORE;
  // A zero-length representation has no satisfiable range; ignoring the Range is simpler for
  // clients (Safari probes with bytes=0-1) than a 416, and §14.2 allows it.
  if (length === 0) return IGNORE;

  const ranges: ByteRange[] = [];
  let specs = 0;
  let i = 6;
  const n = value.length;
  for (;;) {
    // OWS and empty list elements (RFC 9110 §5.6.1: recipients accept empty elements).
    while (i < n) {
      const c = value.charCodeAt(i);
      if (c === CHAR_SPACE || c === CHAR_TAB || c === CHAR_COMMA) i++;
      else break;
    }
    if (i >= n) break;
    if (++specs > maxRanges) return IGNORE;

    // first-pos (absent for a suffix range).
    let first = -1;
    let start = i;
    while (i < n && isDigit(value.charCodeAt(i))) i++;
    if (i > start) {
      if (i - start > MAX_DIGITS) return IGNORE;
      first = Number(value.slice(start, i));
    }
    if (i >= n || value.charCodeAt(i) !== CHAR_DASH) return IGNORE;
    i++;
    let last = -1;
    start = i;
    while (i < n && isDigit(value.charCodeAt(i))) i++;
    if (i > start) {
      if (i - start > MAX_DIGITS) return IGNORE;
      last = Number(value.slice(start, i));
    }
    // OWS then "," or the end.
    while (i < n && (value.charCodeAt(i) === CHAR_SPACE || value.charCodeAt(i) === CHAR_TAB)) i++;
    if (i < n && value.charCodeAt(i) !== CHAR_COMMA) return IGNORE;

    if (first === -1) {
      // RFC 9110 §14.1.1: suffix-range "-N" is the last N bytes; "-" alone is invalid.
      if (last === -1) return IGNORE;
      // §14.1.1: a suffix-length of 0 is unsatisfiable.
      if (last === 0) continue;
      ranges.push({ start: last >= length ? 0 : length - last, end: length - 1 });
    } else {
      // §14.1.1: last-pos below first-pos makes the whole ranges-specifier invalid.
      if (last !== -1 && last < first) return IGNORE;
      // §14.1.1: satisfiable only when first-pos is below the length.
      if (first >= length) continue;
      ranges.push({ start: first, end: last === -1 || last >= length ? length - 1 : last });
    }
  }
  if (specs === 0) return IGNORE;
  if (ranges.length === 0) return UNSATISFIABLE;
  return { kind: RangeResultKind.Ranges, ranges: ranges.length === 1 ? ranges : coalesce(ranges) };
}

/** Sorts ranges and merges those that overlap or touch (RFC 9110 §14.2 allows coalescing). */
export function coalesce(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = ranges.slice().sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  let current = sorted[0];
  if (current === undefined) return out;
  for (let k = 1; k < sorted.length; k++) {
    const next = sorted[k] as ByteRange;
    if (next.start <= current.end + 1) {
      if (next.end > current.end) current = { start: current.start, end: next.end };
    } else {
      out.push(current);
      current = next;
    }
  }
  out.push(current);
  return out;
}

/** The `Content-Range` value of one part (RFC 9110 §14.4). */
export function formatContentRange(range: ByteRange, length: number): string {
  return `bytes ${range.start}-${range.end}/${length}`;
}

/** The `Content-Range` value of a 416 (RFC 9110 §14.4: unsatisfied-range). */
export function formatUnsatisfiedRange(length: number): string {
  return `bytes */${length}`;
}

function isDigit(c: number): boolean {
  return c >= CHAR_0 && c <= CHAR_9;
}
