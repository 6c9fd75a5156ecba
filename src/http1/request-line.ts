// Parses a request-line (RFC 9112 §3): method SP request-target SP HTTP-version.
import { SP, TARGET, TOKEN } from './chars.js';
import { ParseError } from './parse-error.js';

/** The parts of a request line; reused by the parser for every request. */
export interface RequestLine {
  method: string;
  target: string;
  path: string;
  query: string;
  /** Authority of an absolute-form or authority-form target, else "". */
  authority: string;
  versionMinor: number;
}

const SLASH = 0x2f;
const STAR = 0x2a;
const QUESTION = 0x3f;

/**
 * Parses buf[start, end) (the line without its CRLF) into `out`.
 * Returns null on success or the error to answer with.
 */
export function parseRequestLine(
  buf: Buffer,
  start: number,
  end: number,
  out: RequestLine,
): ParseError | null {
  // RFC 9112 §3: method = token, followed by exactly one SP.
  let i = start;
  while (i < end && TOKEN[buf[i] as number] === 1) i++;
  if (i === start || i >= end || buf[i] !== SP) {
    return new ParseError(400, 'malformed method in request line');
  }
  const method = buf.toString('latin1', start, i);

  const targetStart = ++i;
  let queryAt = -1;
  while (i < end && TARGET[buf[i] as number] === 1) {
    if (buf[i] === QUESTION && queryAt < 0) queryAt = i;
    i++;
  }
  if (i === targetStart || i >= end || buf[i] !== SP) {
    return new ParseError(400, 'malformed request-target (RFC 9112 §3.2)');
  }
  const targetEnd = i++;

  // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
  if (
    end - i !== 8 ||
    buf[i] !== 0x48 ||
    buf[i + 1] !== 0x54 ||
    buf[i + 2] !== 0x54 ||
    buf[i + 3] !== 0x50 ||
    buf[i + 4] !== SLASH ||
    buf[i + 6] !== 0x2e
  ) {
    return new ParseError(400, 'malformed HTTP-version');
  }
  const major = (buf[i + 5] as number) - 0x30;
  const minor = (buf[i + 7] as number) - 0x30;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) {
    return new ParseError(400, 'malformed HTTP-version');
  }
  if (major !== 1 || minor > 1) {
    return new ParseError(505, `HTTP/${major}.${minor} is not supported`);
  }

  out.method = method;
  out.versionMinor = minor;
  out.target = buf.toString('latin1', targetStart, targetEnd);
  out.authority = '';
  const first = buf[targetStart];
  // RFC 9112 §3.2.3: CONNECT takes the authority-form and nothing else.
  if (method === 'CONNECT' && (first === SLASH || first === STAR)) {
    return new ParseError(400, 'CONNECT needs an authority-form target (host:port)');
  }
  if (first === SLASH) {
    // origin-form (RFC 9112 §3.2.1)
    if (queryAt < 0) {
      out.path = out.target;
      out.query = '';
    } else {
      out.path = buf.toString('latin1', targetStart, queryAt);
      out.query = buf.toString('latin1', queryAt, targetEnd);
    }
    return null;
  }
  if (first === STAR && targetEnd - targetStart === 1) {
    // asterisk-form (RFC 9112 §3.2.4): OPTIONS only.
    if (method !== 'OPTIONS')
      return new ParseError(400, 'asterisk-form target is for OPTIONS only');
    out.path = '*';
    out.query = '';
    return null;
  }
  if (method === 'CONNECT') {
    // authority-form (RFC 9112 §3.2.3): host:port.
    out.authority = out.target;
    out.path = out.target;
    out.query = '';
    return null;
  }
  return parseAbsoluteForm(out);
}

/** absolute-form (RFC 9112 §3.2.2): scheme "://" authority path-abempty [ "?" query ]. */
function parseAbsoluteForm(out: RequestLine): ParseError | null {
  const target = out.target;
  const schemeEnd = target.indexOf('://');
  if (schemeEnd <= 0) return new ParseError(400, 'request-target is not in a known form');
  const scheme = target.slice(0, schemeEnd).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    return new ParseError(400, `unsupported scheme "${scheme}" in absolute-form target`);
  }
  const authorityStart = schemeEnd + 3;
  let pathStart = authorityStart;
  while (pathStart < target.length) {
    const c = target.charCodeAt(pathStart);
    if (c === SLASH || c === QUESTION) break;
    pathStart++;
  }
  out.authority = target.slice(authorityStart, pathStart);
  // userinfo is deprecated in http(s) URIs (RFC 9110 §4.2.4) and a smuggling vector: refuse it.
  if (out.authority === '' || out.authority.includes('@')) {
    return new ParseError(400, 'invalid authority in absolute-form target');
  }
  const rest = target.slice(pathStart);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  out.path = path === '' ? '/' : path;
  out.query = q < 0 ? '' : rest.slice(q);
  return null;
}
