// Turns the header block of an HTTP/2 request (RFC 9113 §8.3) into the RequestHead every handler reads.
import { BodyKind, type RequestHead, parseContentLength } from '../http/request-head.js';
import type { RequestLimits } from '../http/limits.js';

/** nghttp2's END_STREAM flag on the HEADERS frame: the request has no body. */
const END_STREAM = 0x1;

/**
 * A RequestHead from nghttp2's raw list ([name, value, ...], pseudo-fields first, names lower
 * case, already checked by nghttp2 for RFC 9113 §8.2 rules), or the status to refuse it with.
 */
export function toRequestHead(
  raw: readonly string[],
  flags: number,
  limits: RequestLimits,
): RequestHead | number {
  let method = '';
  let target = '';
  let authority = '';
  let host = '';
  let contentLength = -1;
  let cookie: string | null = null;
  let expectContinue = false;
  // RFC 9113 §6.5.2: each field counts its name, value and 32 bytes (pseudo-fields included).
  let listSize = 0;
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    listSize += name.length + value.length + 32;
    if (name.charCodeAt(0) === 0x3a /* ':' */) {
      if (name === ':method') method = value;
      else if (name === ':path') target = value;
      else if (name === ':authority') authority = value;
      continue;
    }
    if (name === 'cookie') {
      // RFC 9113 §8.2.3: crumbs are joined with "; " before the request goes on as one field.
      cookie = cookie === null ? value : `${cookie}; ${value}`;
      continue;
    }
    if (name === 'host') host = value;
    else if (name === 'content-length') {
      // RFC 9110 §8.6: one non-negative integer; nghttp2 checks it against the DATA it gets.
      contentLength = parseContentLength(value);
      if (contentLength < 0) return 400;
    } else if (name === 'expect') expectContinue = value.toLowerCase() === '100-continue';
    headers.push(name, value);
  }
  if (cookie !== null) headers.push('cookie', cookie);
  if (method.length + target.length + authority.length > limits.maxRequestLine) return 414;
  // RFC 6585 §5: nghttp2 does not hold clients to our SETTINGS_MAX_HEADER_LIST_SIZE; we do.
  if (headers.length / 2 > limits.maxHeaders || listSize > limits.maxHeaderSize) return 431;
  // RFC 9113 §8.3.1: :authority stands in for Host; a client sending both must agree (we take :authority).
  if (authority !== '') host = authority;
  if (host !== '' && findHostHeader(headers) === -1) headers.unshift('host', host);
  const query = target.indexOf('?');
  const noBody = (flags & END_STREAM) !== 0;
  return {
    method,
    target,
    path: query === -1 ? target : target.slice(0, query),
    query: query === -1 ? '' : target.slice(query),
    versionMajor: 2,
    versionMinor: 0,
    headers,
    // HPACK-decoded fields have no bytes of their own to echo: the echo rebuilds a text head.
    received: null,
    host,
    keepAlive: true,
    bodyKind: noBody
      ? BodyKind.None
      : contentLength >= 0
        ? contentLength === 0
          ? BodyKind.None
          : BodyKind.ContentLength
        : BodyKind.Chunked,
    contentLength: noBody ? -1 : contentLength,
    // RFC 9110 §10.1.1: the engine sends a 100 (HEADERS, RFC 9113 §8.1) when the handler reads.
    expectContinue: expectContinue && !noBody,
    // RFC 9113 §8.6: no Upgrade in HTTP/2.
    upgrade: '',
  };
}

function findHostHeader(headers: readonly string[]): number {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'host') return i;
  return -1;
}
