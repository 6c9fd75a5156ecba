// Collects a request's header fields and decides its framing and connection semantics (RFC 9112 §6, §9).
import { COLON, FIELD_VALUE, HTAB, SP, TOKEN } from './chars.js';
import { ParseError } from './parse-error.js';
import { BodyKind, parseContentLength } from '../http/request-head.js';

/** The fields the engine itself acts on, picked out while the header section is parsed. */
export class HeadFields {
  headers: string[] = [];
  hostCount = 0;
  host = '';
  contentLengths: string[] | null = null;
  transferEncoding: string | null = null;
  connection = '';
  expect = '';
  upgrade = '';

  reset(): void {
    this.headers = [];
    this.hostCount = 0;
    this.host = '';
    this.contentLengths = null;
    this.transferEncoding = null;
    this.connection = '';
    this.expect = '';
    this.upgrade = '';
  }

  /** Parses one field line buf[start, end) (without CRLF); null on success. */
  addLine(buf: Buffer, start: number, end: number): ParseError | null {
    const first = buf[start];
    // RFC 9112 §5.2: obs-fold (a line starting with SP/HTAB) is rejected with 400.
    if (first === SP || first === HTAB) return new ParseError(400, 'obsolete line folding');
    let i = start;
    while (i < end && TOKEN[buf[i] as number] === 1) i++;
    if (i === start) return new ParseError(400, 'empty or invalid header field name');
    // RFC 9112 §5.1: no whitespace between field name and colon.
    if (i >= end || buf[i] !== COLON) return new ParseError(400, 'invalid header field name');
    const nameEnd = i++;
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    const valueStart = i;
    let valueEnd = valueStart;
    for (; i < end; i++) {
      const c = buf[i] as number;
      // RFC 9110 §5.5: CR, LF and NUL (and other CTLs but HTAB) are invalid in a field value.
      if (FIELD_VALUE[c] !== 1) return new ParseError(400, 'invalid character in header value');
      if (c !== SP && c !== HTAB) valueEnd = i + 1;
    }
    const name = buf.toString('latin1', start, nameEnd);
    const value = buf.toString('latin1', valueStart, valueEnd);
    this.headers.push(name, value);
    this.#noteKnown(name, value);
    return null;
  }

  #noteKnown(name: string, value: string): void {
    switch (name.length) {
      case 4:
        // Clients spell the common names this way; toLowerCase() would copy each one.
        if (name === 'Host' || name.toLowerCase() === 'host') {
          this.hostCount++;
          this.host = value;
        }
        return;
      case 6:
        if (name.toLowerCase() === 'expect') {
          this.expect = this.expect === '' ? value : `${this.expect}, ${value}`;
        }
        return;
      case 7:
        if (name.toLowerCase() === 'upgrade') this.upgrade = value;
        return;
      case 10:
        if (name === 'Connection' || name.toLowerCase() === 'connection') {
          this.connection = this.connection === '' ? value : `${this.connection}, ${value}`;
        }
        return;
      case 14:
        if (name.toLowerCase() === 'content-length') (this.contentLengths ??= []).push(value);
        return;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          this.transferEncoding =
            this.transferEncoding === null ? value : `${this.transferEncoding}, ${value}`;
        }
        return;
      default:
    }
  }
}

/** Framing decided from the fields (RFC 9112 §6.3); contentLength is -1 unless bodyKind is ContentLength. */
export interface Framing {
  bodyKind: BodyKind;
  contentLength: number;
}

/** RFC 9112 §6.3 message body length rules, strict enough that no two parsers can disagree. */
export function decideFraming(
  fields: HeadFields,
  versionMinor: number,
  maxBodySize: number,
  out: Framing,
): ParseError | null {
  out.bodyKind = BodyKind.None;
  out.contentLength = -1;
  const te = fields.transferEncoding;
  if (te !== null) {
    // RFC 9112 §6.3: CL together with TE is a smuggling attempt: 400 and close.
    if (fields.contentLengths !== null) {
      return new ParseError(400, 'both Content-Length and Transfer-Encoding');
    }
    // RFC 9112 §6.1: TE in an HTTP/1.0 message means the framing is faulty.
    if (versionMinor === 0) return new ParseError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    const codings = te.split(',');
    for (let i = 0; i < codings.length; i++) {
      const coding = (codings[i] as string).trim().toLowerCase();
      const last = i === codings.length - 1;
      if (coding === 'chunked') {
        // RFC 9112 §6.1: chunked must be the final coding, applied once.
        if (!last) return new ParseError(400, 'chunked is not the final transfer coding');
      } else if (coding === '') {
        return new ParseError(400, 'empty transfer coding');
      } else if (last) {
        // RFC 9112 §6.3: a request whose final coding is not chunked has no reliable length.
        return new ParseError(400, 'final transfer coding is not chunked');
      } else {
        return new ParseError(501, `transfer coding "${coding}" is not implemented`);
      }
    }
    out.bodyKind = BodyKind.Chunked;
    return null;
  }
  const lengths = fields.contentLengths;
  if (lengths === null) return null;
  let length = -1;
  for (const field of lengths) {
    // RFC 9110 §8.6: a list of identical values may be accepted; anything else is invalid.
    for (const item of field.split(',')) {
      const value = parseContentLength(item.trim());
      if (value < 0) return new ParseError(400, 'invalid Content-Length');
      if (length >= 0 && value !== length) return new ParseError(400, 'conflicting Content-Length');
      length = value;
    }
  }
  if (maxBodySize > 0 && length > maxBodySize) {
    return new ParseError(413, `body of ${length} bytes exceeds the limit of ${maxBodySize}`);
  }
  if (length > 0) {
    out.bodyKind = BodyKind.ContentLength;
    out.contentLength = length;
  }
  return null;
}

/** Connection options (RFC 9110 §7.6.1) the engine acts on. */
export interface ConnectionOptions {
  close: boolean;
  keepAlive: boolean;
  upgrade: boolean;
}

export function parseConnectionOptions(value: string, out: ConnectionOptions): void {
  out.close = false;
  out.keepAlive = false;
  out.upgrade = false;
  if (value === '') return;
  // The usual single option as clients spell it: no split, no copies.
  if (value === 'close') {
    out.close = true;
    return;
  }
  if (value === 'keep-alive') {
    out.keepAlive = true;
    return;
  }
  for (const item of value.split(',')) {
    const option = item.trim().toLowerCase();
    if (option === 'close') out.close = true;
    else if (option === 'keep-alive') out.keepAlive = true;
    else if (option === 'upgrade') out.upgrade = true;
  }
}

/** Bytes of a Host value (RFC 9110 §7.2, RFC 3986 §3.2.2): reg-name or IP-literal, and ":" port. */
const HOST_CHARS = new Uint8Array(256);
for (const c of "-._~%!$&'()*+,;=:[]") HOST_CHARS[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) HOST_CHARS[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) HOST_CHARS[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) HOST_CHARS[c] = 1;

/** RFC 9112 §3.2: a Host that is not a valid uri-host [":" port] gets 400. */
export function isValidHost(value: string): boolean {
  let close = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || HOST_CHARS[c] !== 1) return false;
    if (c === 0x5b /* [ */ && i !== 0) return false;
    if (c === 0x5d /* ] */) {
      if (value.charCodeAt(0) !== 0x5b || close >= 0) return false;
      close = i;
    }
  }
  if (value.charCodeAt(0) === 0x5b && close < 0) return false;
  // After an IP-literal only ":" port may follow; elsewhere the first ":" starts the port.
  const colon = close >= 0 ? (value.length > close + 1 ? close + 1 : -1) : value.indexOf(':');
  if (colon < 0) return true;
  if (value.charCodeAt(colon) !== 0x3a) return false;
  for (let i = colon + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
