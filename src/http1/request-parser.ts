// The incremental, strict HTTP/1.1 request parser (RFC 9112): bytes in, head/body/end events out.
import { ChunkedDecoder } from './chunked-decoder.js';
import { CR, LF } from './chars.js';
import {
  type ConnectionOptions,
  type Framing,
  HeadFields,
  decideFraming,
  isValidHost,
  parseConnectionOptions,
} from './head-fields.js';
import { ParseError } from './parse-error.js';
import type { RequestLimits } from '../http/limits.js';
import { BodyKind, type RequestHead } from '../http/request-head.js';
import { type RequestLine, parseRequestLine } from './request-line.js';

/** The limits the parser enforces (the config's `limits`). */
export type ParserLimits = RequestLimits;

/** Where the parser's events go; the connection implements it. */
export interface ParserSink {
  onRequestHead(head: RequestHead): void;
  onBody(chunk: Buffer): void;
  onRequestEnd(): void;
  onParseError(error: ParseError): void;
}

const enum State {
  RequestLine,
  Headers,
  BodyLength,
  BodyChunked,
  Dead,
}

/** RFC 9112 §2.2: empty lines before a request-line are ignored, within reason. */
const MAX_LEADING_EMPTY_LINES = 8;

export class RequestParser {
  #sink: ParserSink;
  #limits: ParserLimits;
  #state = State.RequestLine;
  /** An incomplete line kept from the previous read (head states only). */
  #pending: Buffer | null = null;
  #headerBytes = 0;
  #emptyLines = 0;
  #paused = false;
  /** The request that failed had its request line parsed (what the access log can say about it). */
  #failedAfterLine = false;
  #remaining = 0;
  /**
   * The head's bytes as received: earlier reads' parts (null when the head came in one read),
   * and where it goes on in the buffer being parsed.
   */
  #rawParts: Buffer[] | null = null;
  #rawBuffer: Buffer | null = null;
  #rawStart = 0;
  #chunked: ChunkedDecoder | null = null;
  readonly #line: RequestLine = {
    method: '',
    target: '',
    path: '',
    query: '',
    authority: '',
    versionMinor: 1,
  };
  readonly #fields = new HeadFields();
  readonly #framing: Framing = { bodyKind: BodyKind.None, contentLength: -1 };
  readonly #connection: ConnectionOptions = { close: false, keepAlive: false, upgrade: false };
  readonly #shouldStop = (): boolean => this.#paused;

  constructor(sink: ParserSink, limits: ParserLimits) {
    this.#sink = sink;
    this.#limits = limits;
  }

  /** Serves another connection (from the spare list): same state as a new parser between requests. */
  attach(sink: ParserSink, limits: ParserLimits): void {
    this.#sink = sink;
    this.#limits = limits;
    this.#paused = false;
    this.#emptyLines = 0;
    this.#headerBytes = 0;
  }

  /** Lets go of the connection it served, so a spare parser keeps nothing alive. */
  detach(): void {
    this.#sink = DETACHED;
  }

  /** Stops event delivery; execute() returns right after the current event. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** True between messages with no partial request held. */
  get idle(): boolean {
    return this.#state === State.RequestLine && this.#pending === null;
  }

  /** True once a request has begun but its head is not complete. */
  get readingHead(): boolean {
    return (
      (this.#state === State.RequestLine && this.#pending !== null) || this.#state === State.Headers
    );
  }

  get readingBody(): boolean {
    return this.#state === State.BodyLength || this.#state === State.BodyChunked;
  }

  /** Body bytes still to come of a Content-Length body; -1 when unknown (chunked) or no body. */
  get remainingBodyBytes(): number {
    return this.#state === State.BodyLength ? this.#remaining : -1;
  }

  get dead(): boolean {
    return this.#state === State.Dead;
  }

  /**
   * The request line of a request whose head is incomplete or was refused, when it was parsed
   * (null while the request line itself is arriving or was refused): for the access log.
   */
  get unfinishedLine(): Readonly<RequestLine> | null {
    const known =
      this.#state === State.Headers || (this.#state === State.Dead && this.#failedAfterLine);
    return known ? this.#line : null;
  }

  /** The header fields of that request received so far (flat name/value list). */
  get unfinishedHeaders(): readonly string[] {
    return this.#fields.headers;
  }

  /**
   * Feeds bytes. Returns how many were consumed: fewer than given only when the sink paused the
   * parser. After an error (reported through onParseError) the parser is `dead` and accepts nothing.
   */
  execute(data: Buffer): number {
    let offset = 0;
    while (offset < data.length && !this.#paused) {
      switch (this.#state) {
        case State.RequestLine:
        case State.Headers:
          offset = this.#executeHead(data, offset);
          break;
        case State.BodyLength:
          offset = this.#executeLength(data, offset);
          break;
        case State.BodyChunked:
          offset = this.#executeChunked(data, offset);
          break;
        case State.Dead:
          return offset;
      }
    }
    return offset;
  }

  /** Parses head lines from data[offset...]; returns the new offset in data. */
  #executeHead(data: Buffer, offset: number): number {
    let buf = data;
    let base = 0;
    let pos = offset;
    if (this.#pending !== null) {
      // The pending bytes are a line begun in an earlier read: join them to this read once.
      base = this.#pending.length;
      buf = Buffer.concat([this.#pending, data.subarray(offset)]);
      base -= offset;
      pos = 0;
      this.#pending = null;
    }
    if (this.#state === State.Headers) {
      // A head that began in an earlier read goes on here.
      this.#rawBuffer = buf;
      this.#rawStart = pos;
    }
    while (this.#state === State.RequestLine || this.#state === State.Headers) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) {
        const partial = buf.length - pos;
        const error = this.#checkPartialLine(partial);
        if (error !== null) return this.#fail(error, data.length);
        if (partial > 0) this.#pending = buf.subarray(pos);
        // Keep the complete lines of the head read so far; the pending line follows in the next buffer.
        if (this.#state === State.Headers && pos > this.#rawStart) {
          (this.#rawParts ??= []).push((this.#rawBuffer as Buffer).subarray(this.#rawStart, pos));
        }
        return data.length;
      }
      // Limits first, exactly as for a partial line, so the answer never depends on the split.
      const limitError = this.#checkPartialLine(lf - pos);
      if (limitError !== null) return this.#fail(limitError, data.length);
      // RFC 9112 §2.2: lines end in CRLF; a bare LF is not accepted (a smuggling vector).
      if (lf === pos || buf[lf - 1] !== CR) {
        return this.#fail(new ParseError(400, 'line not ended by CRLF'), data.length);
      }
      const lineEnd = lf - 1;
      const next = lf + 1;
      if (this.#state === State.RequestLine) {
        const error = this.#onRequestLine(buf, pos, lineEnd);
        if (error !== null) return this.#fail(error, data.length);
      } else if (lineEnd === pos) {
        // The empty line: the head is complete; events may pause us, so return to execute().
        const error = this.#onHeadEnd(buf, next);
        if (error !== null) return this.#fail(error, data.length);
        return next - base;
      } else {
        const error = this.#onHeaderLine(buf, pos, lineEnd, next - pos);
        if (error !== null) return this.#fail(error, data.length);
      }
      pos = next;
    }
    return pos - base;
  }

  /** `partial` bytes of a line without its LF; one more (a pending CR) is allowed. */
  #checkPartialLine(partial: number): ParseError | null {
    if (this.#state === State.RequestLine) {
      if (partial > this.#limits.maxRequestLine + 1) {
        return new ParseError(414, 'request line too long');
      }
    } else if (this.#headerBytes + partial > this.#limits.maxHeaderSize + 1) {
      return new ParseError(431, 'header section too large');
    }
    return null;
  }

  #onRequestLine(buf: Buffer, start: number, end: number): ParseError | null {
    if (end === start) {
      if (++this.#emptyLines > MAX_LEADING_EMPTY_LINES) {
        return new ParseError(400, 'too many empty lines before the request line');
      }
      return null;
    }
    if (end - start > this.#limits.maxRequestLine)
      return new ParseError(414, 'request line too long');
    const error = parseRequestLine(buf, start, end, this.#line);
    if (error !== null) return error;
    this.#rawParts = null;
    this.#rawBuffer = buf;
    this.#rawStart = start;
    this.#emptyLines = 0;
    this.#headerBytes = 0;
    this.#fields.reset();
    this.#state = State.Headers;
    return null;
  }

  #onHeaderLine(buf: Buffer, start: number, end: number, lineBytes: number): ParseError | null {
    this.#headerBytes += lineBytes;
    if (this.#headerBytes > this.#limits.maxHeaderSize) {
      return new ParseError(431, 'header section too large');
    }
    if (this.#fields.headers.length >= this.#limits.maxHeaders * 2) {
      return new ParseError(431, 'too many header fields');
    }
    return this.#fields.addLine(buf, start, end);
  }

  /** The head's bytes, from the request line to `end` in `buf` (just past the empty line). */
  #receivedHead(buf: Buffer, end: number): Buffer {
    const last = buf.subarray(this.#rawStart, end);
    const parts = this.#rawParts;
    this.#rawParts = null;
    this.#rawBuffer = null;
    if (parts === null) return last;
    parts.push(last);
    return Buffer.concat(parts);
  }

  #onHeadEnd(buf: Buffer, end: number): ParseError | null {
    const line = this.#line;
    const fields = this.#fields;
    const minor = line.versionMinor;
    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; more than one is never valid.
    if (fields.hostCount > 1) return new ParseError(400, 'more than one Host header');
    if (fields.hostCount === 0 && minor === 1) return new ParseError(400, 'missing Host header');
    const error = decideFraming(fields, minor, this.#limits.maxBodySize, this.#framing);
    if (error !== null) return error;
    // RFC 9112 §3.2: the Host (or absolute-form authority) must be a valid uri-host [":" port].
    const host = line.authority !== '' && line.method !== 'CONNECT' ? line.authority : fields.host;
    if (!isValidHost(host) || (line.authority !== '' && !isValidHost(line.authority))) {
      return new ParseError(400, 'invalid Host');
    }
    let expectContinue = false;
    if (fields.expect !== '') {
      // RFC 9110 §10.1.1: 100-continue is the only expectation; any other gets 417.
      for (const item of fields.expect.split(',')) {
        if (item.trim().toLowerCase() !== '100-continue') {
          return new ParseError(417, 'unsupported expectation');
        }
      }
      expectContinue = minor === 1 && this.#framing.bodyKind !== BodyKind.None;
    }
    const connection = this.#connection;
    parseConnectionOptions(fields.connection, connection);
    // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
    const keepAlive = minor === 1 ? !connection.close : connection.keepAlive && !connection.close;
    const head: RequestHead = {
      method: line.method,
      target: line.target,
      path: line.path,
      query: line.query,
      versionMajor: 1,
      versionMinor: minor,
      headers: fields.headers,
      // RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host.
      host,
      keepAlive,
      bodyKind: this.#framing.bodyKind,
      contentLength: this.#framing.contentLength,
      expectContinue,
      upgrade: connection.upgrade ? fields.upgrade : '',
      received: this.#receivedHead(buf, end),
    };
    switch (head.bodyKind) {
      case BodyKind.ContentLength:
        this.#state = State.BodyLength;
        this.#remaining = head.contentLength;
        break;
      case BodyKind.Chunked:
        this.#state = State.BodyChunked;
        this.#chunked = new ChunkedDecoder(this.#limits.maxBodySize, this.#limits.maxHeaderSize);
        break;
      case BodyKind.None:
        this.#state = State.RequestLine;
    }
    this.#sink.onRequestHead(head);
    if (head.bodyKind === BodyKind.None) this.#sink.onRequestEnd();
    return null;
  }

  #executeLength(data: Buffer, offset: number): number {
    const take = Math.min(this.#remaining, data.length - offset);
    this.#remaining -= take;
    const end = offset + take;
    if (this.#remaining === 0) this.#state = State.RequestLine;
    this.#sink.onBody(data.subarray(offset, end));
    if (this.#remaining === 0) this.#sink.onRequestEnd();
    return end;
  }

  #executeChunked(data: Buffer, offset: number): number {
    const decoder = this.#chunked as ChunkedDecoder;
    const result = decoder.decode(data, offset, data.length, this.#sink, this.#shouldStop);
    if (result instanceof ParseError) return this.#fail(result, data.length);
    if (decoder.done) {
      this.#chunked = null;
      this.#state = State.RequestLine;
      this.#sink.onRequestEnd();
    }
    return result;
  }

  #fail(error: ParseError, consumed: number): number {
    this.#failedAfterLine = this.#state === State.Headers;
    this.#rawParts = null;
    this.#rawBuffer = null;
    this.#state = State.Dead;
    this.#pending = null;
    this.#sink.onParseError(error);
    return consumed;
  }
}

/** The sink of a spare parser: nothing is fed to it, so nothing arrives here. */
const DETACHED: ParserSink = {
  onRequestHead: () => undefined,
  onBody: () => undefined,
  onRequestEnd: () => undefined,
  onParseError: () => undefined,
};

/**
 * Parsers between requests, kept for the next connection that gets bytes. An idle keep-alive
 * connection holds no parser (its header list, line and framing objects): thousands of idle
 * connections share the few a busy moment needs.
 */
const spares: RequestParser[] = [];
const MAX_SPARES = 64;

/** A parser in its between-requests state, feeding `sink`. */
export function takeParser(sink: ParserSink, limits: ParserLimits): RequestParser {
  const parser = spares.pop();
  if (parser === undefined) return new RequestParser(sink, limits);
  parser.attach(sink, limits);
  return parser;
}

/** Gives back a parser its connection no longer needs; only one between requests is kept. */
export function returnParser(parser: RequestParser): void {
  if (!parser.idle || spares.length >= MAX_SPARES) return;
  parser.detach();
  spares.push(parser);
}
