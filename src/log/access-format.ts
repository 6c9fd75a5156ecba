// Turns one finished exchange into an access log line: nginx `combined` or one JSON object.

/**
 * What the engine knows about one finished exchange; the engine's exchange object implements it,
 * so logging allocates nothing extra. Strings are as the parser decoded them: one char per byte
 * (latin1); chars above U+00FF are taken as Unicode and logged as their UTF-8 bytes.
 */
export interface AccessRecord {
  /** The client, IPv4 peers of dual-stack sockets in their IPv4 form. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The user basic_auth saw in the request ("" for none): nginx's $remote_user. */
  readonly remoteUser: string;
  /** "" when the request was refused before its request line was read (logged as `-`). */
  readonly method: string;
  readonly target: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly status: number;
  readonly bytesSent: number;
  /** epoch ms */
  readonly startedAt: number;
  readonly durationMs: number;
  /** request header lookup (referer, user-agent, host) */
  header(lowerName: string): string | undefined;
}

/** One line format, chosen once when the log is created. */
export interface AccessFormat {
  /** The whole line, newline included. */
  format(record: AccessRecord): string;
}

/** nginx's default escaping: bytes below 0x20, `"`, `\`, 0x7F and every byte from 0x80 become \xHH. */
const MUST_ESCAPE = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  const escaped = byte < 0x20 || byte === 0x22 || byte === 0x5c || byte >= 0x7f;
  MUST_ESCAPE[byte] = escaped ? 1 : 0;
}
const HEX = '0123456789ABCDEF';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function hexEscape(byte: number): string {
  return `\\x${HEX.charAt(byte >> 4)}${HEX.charAt(byte & 0xf)}`;
}

/** A code point above U+00FF as its escaped UTF-8 bytes; lone surrogates become U+FFFD. */
function escapeCodePoint(codePoint: number): string {
  const cp = codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint;
  if (cp < 0x800) return hexEscape(0xc0 | (cp >> 6)) + hexEscape(0x80 | (cp & 0x3f));
  if (cp < 0x10000) {
    return (
      hexEscape(0xe0 | (cp >> 12)) +
      hexEscape(0x80 | ((cp >> 6) & 0x3f)) +
      hexEscape(0x80 | (cp & 0x3f))
    );
  }
  return (
    hexEscape(0xf0 | (cp >> 18)) +
    hexEscape(0x80 | ((cp >> 12) & 0x3f)) +
    hexEscape(0x80 | ((cp >> 6) & 0x3f)) +
    hexEscape(0x80 | (cp & 0x3f))
  );
}

/**
 * Escapes a client-sent string for a log line the way nginx does (so a quote or a newline in a
 * User-Agent cannot forge fields or lines). Returns the string itself when nothing needs escaping.
 */
export function escapeLogValue(value: string): string {
  const length = value.length;
  let index = 0;
  while (index < length) {
    const code = value.charCodeAt(index);
    if (code > 0xff || MUST_ESCAPE[code] === 1) break;
    index++;
  }
  if (index === length) return value;
  let out = value.slice(0, index);
  let runStart = index;
  for (; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code <= 0xff && MUST_ESCAPE[code] === 0) continue;
    out += value.slice(runStart, index);
    if (code <= 0xff) {
      out += hexEscape(code);
    } else {
      const codePoint = value.codePointAt(index) ?? 0xfffd;
      out += escapeCodePoint(codePoint);
      if (codePoint > 0xffff) index++;
    }
    runStart = index + 1;
  }
  return out + value.slice(runStart);
}

/** A quoted combined-format field: `-` when absent or empty, as nginx prints unset variables. */
function quotedField(value: string | undefined): string {
  return value === undefined || value === '' ? '-' : escapeLogValue(value);
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** `24/Nov/2026:18:44:42 +0100`: nginx's $time_local, local time with the local UTC offset. */
export function formatTimeLocal(second: number): string {
  const date = new Date(second * 1000);
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const absolute = Math.abs(offset);
  return (
    `${twoDigits(date.getDate())}/${MONTHS[date.getMonth()] ?? ''}/${date.getFullYear()}:` +
    `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())} ` +
    `${sign}${twoDigits(Math.floor(absolute / 60))}${twoDigits(absolute % 60)}`
  );
}

/** The time a line is stamped with: when the exchange finished, as nginx's $time_local is. */
export function finishedAt(record: AccessRecord): number {
  return Math.floor(record.startedAt + record.durationMs);
}

/**
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`.
 * $remote_user is the user basic_auth saw (`-` for none); the time text is cached per second.
 */
export class CombinedFormat implements AccessFormat {
  #second = Number.NaN;
  #timeLocal = '';

  format(record: AccessRecord): string {
    const second = Math.floor(finishedAt(record) / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#timeLocal = formatTimeLocal(second);
    }
    const request =
      record.method === ''
        ? '-'
        : `${escapeLogValue(record.method)} ${escapeLogValue(record.target)} HTTP/${record.versionMajor}.${record.versionMinor}`;
    return `${quotedField(record.remoteAddress)} - ${quotedField(record.remoteUser)} [${this.#timeLocal}] "${request}" ${formatStatus(record.status)} ${record.bytesSent} "${quotedField(record.header('referer'))}" "${quotedField(record.header('user-agent'))}"\n`;
  }
}

/** nginx logs 000 when no response status was set (the client left first). */
export function formatStatus(status: number): string {
  return status === 0 ? '000' : String(status);
}

/**
 * A JSON string for a field. Plain ASCII (the usual case) is quoted as is; latin1 text holding
 * bytes from 0x80 is re-read as UTF-8, so a UTF-8 User-Agent reads as sent and the line stays
 * valid UTF-8 (bad sequences become U+FFFD); the rest goes through JSON.stringify.
 */
function jsonString(value: string | undefined): string {
  if (value === undefined) return '""';
  let plain = true;
  let latin1High = false;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c) continue;
    plain = false;
    if (code > 0xff) {
      latin1High = false;
      break;
    }
    if (code >= 0x80) latin1High = true;
  }
  if (plain) return `"${value}"`;
  return JSON.stringify(latin1High ? Buffer.from(value, 'latin1').toString('utf8') : value);
}

/** Milliseconds with at most three decimals; 0 when the engine had no number. */
function formatDuration(durationMs: number): number {
  return Number.isFinite(durationMs) ? Math.round(durationMs * 1000) / 1000 : 0;
}

/**
 * One JSON object per line: time (ISO 8601, UTC, when the exchange finished), remote_addr, remote_user,
 * method, uri, protocol, status, bytes_sent, referer, user_agent, host, duration_ms.
 * Absent headers are "" (as nginx's escape=json prints them). The time text is cached per second.
 */
export class JsonFormat implements AccessFormat {
  #second = Number.NaN;
  #isoPrefix = '';

  format(record: AccessRecord): string {
    const finished = finishedAt(record);
    const second = Math.floor(finished / 1000);
    if (second !== this.#second) {
      this.#second = second;
      // "2026-11-24T18:44:42." — milliseconds and the zone letter follow.
      this.#isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    const ms = finished - second * 1000;
    const msText = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : String(ms);
    return `{"time":"${this.#isoPrefix}${msText}Z","remote_addr":${jsonString(record.remoteAddress)},"remote_user":${jsonString(record.remoteUser)},"method":${jsonString(record.method)},"uri":${jsonString(record.target)},"protocol":${record.method === '' ? '""' : `"HTTP/${record.versionMajor}.${record.versionMinor}"`},"status":${record.status},"bytes_sent":${record.bytesSent},"referer":${jsonString(record.header('referer'))},"user_agent":${jsonString(record.header('user-agent'))},"host":${jsonString(record.header('host'))},"duration_ms":${formatDuration(record.durationMs)}}\n`;
  }
}
