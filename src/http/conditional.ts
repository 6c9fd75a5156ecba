// Conditional requests (RFC 9110 §13): evaluate If-* fields against a representation's validators.

/** The validators of the selected representation (RFC 9110 §8.8). */
export interface Validators {
  /** The entity-tag as sent in ETag, quotes included (`"abc"` or `W/"abc"`); "" when none. */
  readonly etag: string;
  /** The Last-Modified value as sent (IMF-fixdate); "" when none. */
  readonly lastModified: string;
  /** Last-Modified in whole seconds since the epoch; NaN when none. */
  readonly lastModifiedSeconds: number;
}

/** The precondition fields of one request; undefined when absent. */
export interface ConditionalFields {
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
  ifUnmodifiedSince: string | undefined;
}

export const enum Precondition {
  /** Go on and send the representation (or a range of it). */
  Proceed = 0,
  /** 304 Not Modified. */
  NotModified = 304,
  /** 412 Precondition Failed. */
  Failed = 412,
}

/**
 * Evaluates preconditions in the order of RFC 9110 §13.2.2 for a GET or HEAD (`safe` true) or
 * another method. Range and If-Range are evaluated after this returns Proceed (step 5).
 */
export function evaluatePreconditions(
  fields: ConditionalFields,
  validators: Validators,
  safe: boolean,
): Precondition {
  // Step 1: If-Match, strong comparison (§13.1.1).
  if (fields.ifMatch !== undefined) {
    if (!matchesEtagList(fields.ifMatch, validators.etag, true)) return Precondition.Failed;
  } else if (fields.ifUnmodifiedSince !== undefined) {
    // Step 2: If-Unmodified-Since only without If-Match; an invalid date is ignored (§13.1.4).
    const since = parseHttpDate(fields.ifUnmodifiedSince);
    if (!Number.isNaN(since) && !Number.isNaN(validators.lastModifiedSeconds)) {
      if (validators.lastModifiedSeconds > since) return Precondition.Failed;
    }
  }
  // Step 3: If-None-Match, weak comparison (§13.1.2).
  if (fields.ifNoneMatch !== undefined) {
    if (matchesEtagList(fields.ifNoneMatch, validators.etag, false)) {
      return safe ? Precondition.NotModified : Precondition.Failed;
    }
  } else if (safe && fields.ifModifiedSince !== undefined) {
    // Step 4: If-Modified-Since only for GET/HEAD without If-None-Match (§13.1.3).
    // Fast path: browsers echo our own Last-Modified verbatim.
    if (fields.ifModifiedSince === validators.lastModified && validators.lastModified !== '') {
      return Precondition.NotModified;
    }
    const since = parseHttpDate(fields.ifModifiedSince);
    if (!Number.isNaN(since) && !Number.isNaN(validators.lastModifiedSeconds)) {
      if (validators.lastModifiedSeconds <= since) return Precondition.NotModified;
    }
  }
  return Precondition.Proceed;
}

/**
 * If-Range (RFC 9110 §13.1.5): true when the Range may be honoured. An entity-tag must match
 * strongly; a date must equal Last-Modified exactly (a weak tag or a bad value never matches).
 */
export function evaluateIfRange(value: string, validators: Validators): boolean {
  const first = value.charCodeAt(0);
  if (first === 34 /* " */)
    return validators.etag !== '' && value === validators.etag && !isWeak(value);
  if (first === 87 /* W */ && value.charCodeAt(1) === 47 /* / */) return false;
  if (value === validators.lastModified) return validators.lastModified !== '';
  const date = parseHttpDate(value);
  return !Number.isNaN(date) && date === validators.lastModifiedSeconds;
}

/**
 * Whether a field value of If-Match / If-None-Match (`*` or a list of entity-tags) matches
 * `etag`. Strong comparison (§8.8.3.2) needs both tags strong and equal; weak compares opaque-tags.
 */
export function matchesEtagList(list: string, etag: string, strong: boolean): boolean {
  if (etag === '') return false;
  // Fast path: the client echoes the one tag we sent.
  if (list === etag) return !strong || !isWeak(etag);
  const n = list.length;
  let i = 0;
  const ours = opaqueStart(etag);
  const oursWeak = ours === 2;
  while (i < n) {
    let c = list.charCodeAt(i);
    if (c === 32 || c === 9 || c === 44) {
      i++;
      continue;
    }
    // "*" matches any current representation (§13.1.1, §13.1.2).
    if (c === 42 /* * */) return true;
    let weak = false;
    if (c === 87 /* W */ && list.charCodeAt(i + 1) === 47 /* / */) {
      weak = true;
      i += 2;
      c = list.charCodeAt(i);
    }
    if (c !== 34 /* " */) return false; // not an entity-tag: the field is invalid, no match
    const close = list.indexOf('"', i + 1);
    if (close === -1) return false;
    const tagLength = close - i + 1;
    if (tagLength === etag.length - ours && list.startsWith(etag.slice(ours), i)) {
      if (!strong || (!weak && !oursWeak)) return true;
    }
    i = close + 1;
  }
  return false;
}

function isWeak(tag: string): boolean {
  return tag.charCodeAt(0) === 87 && tag.charCodeAt(1) === 47;
}

function opaqueStart(tag: string): number {
  return isWeak(tag) ? 2 : 0;
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) into seconds since the epoch: IMF-fixdate
 * `Sun, 06 Nov 1994 08:49:37 GMT`, obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime
 * `Sun Nov  6 08:49:37 1994`. NaN when the value is none of these.
 */
export function parseHttpDate(value: string): number {
  const comma = value.indexOf(',');
  if (comma === 3 && value.length === 29) {
    // IMF-fixdate: day-name "," SP DD SP Mon SP YYYY SP hh:mm:ss SP GMT
    if (!value.endsWith(' GMT')) return Number.NaN;
    return toSeconds(digits(value, 5, 2), value.slice(8, 11), digits(value, 12, 4), value, 17);
  }
  if (comma > 3) {
    // RFC 850: day-name-l "," SP DD-Mon-YY SP hh:mm:ss SP GMT
    const p = comma + 2;
    if (value.length !== p + 22 || !value.endsWith(' GMT')) return Number.NaN;
    if (value.charCodeAt(p + 2) !== 45 || value.charCodeAt(p + 6) !== 45) return Number.NaN;
    const yy = digits(value, p + 7, 2);
    // §5.6.7: a two-digit year more than 50 years in the future means the past century.
    const nowYear = new Date().getUTCFullYear();
    let year = 2000 + yy;
    if (year > nowYear + 50) year -= 100;
    return toSeconds(digits(value, p, 2), value.slice(p + 3, p + 6), year, value, p + 10);
  }
  if (comma === -1 && value.length === 24) {
    // asctime: day-name SP Mon SP (DD | SP D) SP hh:mm:ss SP YYYY
    const day = value.charCodeAt(8) === 32 ? digits(value, 9, 1) : digits(value, 8, 2);
    return toSeconds(day, value.slice(4, 7), digits(value, 20, 4), value, 11);
  }
  return Number.NaN;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = Object.keys(MONTHS);

/**
 * Formats a time (milliseconds) as an IMF-fixdate (RFC 9110 §5.6.7), as `toUTCString()` does.
 * Built from the UTC getters: V8's date-to-string functions map ICU's time zone data (~0.8 MiB)
 * into the process the first time, even for UTC, and every worker sends a Date field.
 */
export function formatHttpDate(milliseconds: number): string {
  const date = new Date(milliseconds);
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return date.toUTCString(); // an invalid or far date
  return (
    `${DAY_NAMES[date.getUTCDay()]}, ${twoDigits(date.getUTCDate())} ` +
    `${MONTH_NAMES[date.getUTCMonth()]} ${String(year).padStart(4, '0')} ` +
    `${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:` +
    `${twoDigits(date.getUTCSeconds())} GMT`
  );
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function toSeconds(day: number, month: string, year: number, value: string, time: number): number {
  const m = MONTHS[month];
  if (m === undefined || value.charCodeAt(time + 2) !== 58 || value.charCodeAt(time + 5) !== 58) {
    return Number.NaN;
  }
  const hour = digits(value, time, 2);
  const minute = digits(value, time + 3, 2);
  const second = digits(value, time + 6, 2);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const ms = Date.UTC(year, m, day, hour, minute, second);
  return Number.isNaN(ms) ? Number.NaN : ms / 1000;
}

/** The decimal number in value[start, start+count), NaN when any character is not a digit. */
function digits(value: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    n = n * 10 + (c - 48);
  }
  return n;
}
