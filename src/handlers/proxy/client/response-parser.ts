// The incremental HTTP/1.1 response parser for upstream replies (RFC 9112): status line, fields, framing, body.
import { CR, LF } from '../../../http1/chars.js';
import { ChunkedDecoder } from '../../../http1/chunked-decoder.js';
import { HeadFields, parseConnectionOptions } from '../../../http1/head-fields.js';
import { ParseError } from '../../../http1/parse-error.js';
import { parseContentLength } from '../../../http/request-head.js';

/** How the response body is delimited (RFC 9112 §6.3), chosen once from the head. */
export const enum ResponseFraming {
  /** No body: HEAD, 1xx, 204, 304. */
  None,
  Length,
  Chunked,
  /** Read until the upstream closes the connection. */
  Close,
}

export interface ResponseHead {
  readonly status: number;
  readonly versionMinor: number;
  /** Fields in arrival order, flat: [name, value, ...], names as sent. */
  readonly headers: readonly string[];
  readonly framing: ResponseFraming;
  /** Content-Length when one was sent and valid (also for HEAD and 304), else -1. */
  readonly contentLength: number;
  /** The upstream lets the connection carry another request afterwards. */
  readonly keepAlive: boolean;
  /** The Connection field's value ("" when absent): names of more hop-by-hop fields. */
  readonly connection: string;
}

/** Where the parser's events go. */
export interface ResponseSink {
  onResponseHead(head: ResponseHead): void;
  onResponseBody(chunk: Buffer): void;
  onResponseEnd(): void;
}

const enum State {
  Idle,
  Head,
  BodyLength,
  BodyChunked,
  BodyClose,
  /** After a 101: the rest of the bytes are another protocol. */
  Switched,
  Done,
  Dead,
}

const ASCII_H = 0x48;

export class ResponseParser {
  readonly #sink: ResponseSink;
  readonly #maxHeaderSize: number;
  readonly #fields = new HeadFields();
  readonly #shouldStop = (): boolean => false;
  #state = State.Idle;
  #method = '';
  #pending: Buffer | null = null;
  #remaining = 0;
  #chunked: ChunkedDecoder | null = null;
  #bytesSeen = 0;

  constructor(sink: ResponseSink, maxHeaderSize: number) {
    this.#sink = sink;
    this.#maxHeaderSize = maxHeaderSize;
  }

  /** Expect the response to a request with this method (HEAD responses have no body). */
  expect(method: string): void {
    this.#state = State.Head;
    this.#method = method;
    this.#pending = null;
    this.#bytesSeen = 0;
  }

  /** Some byte of the current response has arrived (a failure after this is not a stale socket). */
  get started(): boolean {
    return this.#bytesSeen > 0;
  }

  /** The whole response has been delivered. */
  get done(): boolean {
    return this.#state === State.Done;
  }

  /** A 101 head was delivered: bytes past it (see execute's return) belong to the new protocol. */
  get switched(): boolean {
    return this.#state === State.Switched;
  }

  /** The body runs until the connection closes. */
  get readsUntilClose(): boolean {
    return this.#state === State.BodyClose;
  }

  /**
   * Feeds bytes; returns how many were consumed (fewer than given after the message ended or a
   * 101), or a ParseError for a malformed response.
   */
  execute(data: Buffer): number | ParseError {
    this.#bytesSeen += data.length;
    let offset = 0;
    while (offset < data.length) {
      switch (this.#state) {
        case State.Head: {
          const next = this.#executeHead(data, offset);
          if (next instanceof ParseError) return this.#fail(next);
          offset = next;
          break;
        }
        case State.BodyLength: {
          const take = Math.min(this.#remaining, data.length - offset);
          this.#remaining -= take;
          const end = offset + take;
          if (this.#remaining === 0) this.#state = State.Done;
          this.#sink.onResponseBody(data.subarray(offset, end));
          if (this.#remaining === 0) this.#sink.onResponseEnd();
          offset = end;
          break;
        }
        case State.BodyChunked: {
          const decoder = this.#chunked as ChunkedDecoder;
          const result = decoder.decode(data, offset, data.length, this, this.#shouldStop);
          if (result instanceof ParseError) return this.#fail(result);
          offset = result;
          if (decoder.done) {
            this.#chunked = null;
            this.#state = State.Done;
            this.#sink.onResponseEnd();
          }
          break;
        }
        case State.BodyClose:
          this.#sink.onResponseBody(offset === 0 ? data : data.subarray(offset));
          return data.length;
        default:
          // Idle, Done, Switched, Dead: these bytes are not part of this response.
          return offset;
      }
      // The sink may have been called: read the state afresh (TypeScript narrowed it above).
      const state = this.#state as State;
      if (state === State.Done || state === State.Switched) return offset;
    }
    return offset;
  }

  /** The upstream closed: true when that properly ends a close-delimited body (RFC 9112 §6.3 ¶8). */
  finishOnClose(): boolean {
    if (this.#state !== State.BodyClose) return false;
    this.#state = State.Done;
    this.#sink.onResponseEnd();
    return true;
  }

  /** ChunkSink: decoded chunk data. */
  onBody(chunk: Buffer): void {
    this.#sink.onResponseBody(chunk);
  }

  #executeHead(data: Buffer, offset: number): number | ParseError {
    let buf = offset === 0 ? data : data.subarray(offset);
    let base = 0;
    const pending = this.#pending;
    if (pending !== null) {
      base = pending.length;
      buf = Buffer.concat([pending, buf]);
      this.#pending = null;
    }
    // The head ends at the first empty line; until it is all here, keep what we have.
    const end = buf.indexOf('\r\n\r\n', Math.max(0, base - 3), 'latin1');
    if (end < 0) {
      if (buf.length > this.#maxHeaderSize) return new ParseError(502, 'response head too large');
      this.#pending = buf;
      return data.length;
    }
    if (end + 4 > this.#maxHeaderSize) return new ParseError(502, 'response head too large');
    const error = this.#parseHead(buf, end);
    if (error !== null) return error;
    return offset + end + 4 - base;
  }

  #parseHead(buf: Buffer, end: number): ParseError | null {
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
    if (
      end < 12 ||
      buf[0] !== ASCII_H ||
      buf.toString('latin1', 0, 7) !== 'HTTP/1.' ||
      buf[8] !== 0x20 ||
      (buf[12] !== 0x20 && buf[12] !== CR)
    ) {
      return new ParseError(502, 'invalid status line');
    }
    const minor = (buf[7] as number) - 0x30;
    const status = Number(buf.toString('latin1', 9, 12));
    if ((minor !== 0 && minor !== 1) || !Number.isInteger(status) || status < 100) {
      return new ParseError(502, 'invalid status line');
    }
    const fields = this.#fields;
    fields.reset();
    let pos = buf.indexOf(LF, 0) + 1;
    while (pos < end + 2) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0 || buf[lf - 1] !== CR) return new ParseError(502, 'header line not ended by CRLF');
      const error = fields.addLine(buf, pos, lf - 1);
      if (error !== null) return new ParseError(502, `invalid response header: ${error.reason}`);
      pos = lf + 1;
    }
    if (status < 200 && status !== 101) {
      // RFC 9110 §15.2: interim responses (100, 103) are not forwarded here; the final one follows.
      this.#state = State.Head;
      return null;
    }
    return this.#deliverHead(status, minor);
  }

  #deliverHead(status: number, minor: number): ParseError | null {
    const fields = this.#fields;
    const options = { close: false, keepAlive: false, upgrade: false };
    parseConnectionOptions(fields.connection, options);
    let keepAlive = minor === 1 ? !options.close : options.keepAlive && !options.close;
    let contentLength = -1;
    if (fields.contentLengths !== null) {
      contentLength = parseLengths(fields.contentLengths);
      // RFC 9112 §6.3 ¶5: an invalid Content-Length in a response is an unrecoverable error.
      if (contentLength < 0 && fields.transferEncoding === null) {
        return new ParseError(502, 'invalid Content-Length in response');
      }
    }
    let framing: ResponseFraming;
    if (status === 101) {
      framing = ResponseFraming.None;
      keepAlive = false;
    } else if (this.#method === 'HEAD' || status === 204 || status === 304) {
      framing = ResponseFraming.None; // RFC 9112 §6.3 ¶1
    } else if (fields.transferEncoding !== null) {
      // RFC 9112 §6.3 ¶3-4: TE overrides CL (then the connection must not be reused); chunked last, or until close.
      if (fields.contentLengths !== null) keepAlive = false;
      contentLength = -1;
      framing = isChunkedLast(fields.transferEncoding)
        ? ResponseFraming.Chunked
        : ResponseFraming.Close;
    } else if (contentLength >= 0) {
      framing = ResponseFraming.Length;
    } else {
      framing = ResponseFraming.Close; // RFC 9112 §6.3 ¶8
    }
    if (framing === ResponseFraming.Close) keepAlive = false;
    const head: ResponseHead = {
      status,
      versionMinor: minor,
      headers: fields.headers,
      framing,
      contentLength,
      keepAlive,
      connection: fields.connection,
    };
    switch (framing) {
      case ResponseFraming.Length:
        this.#remaining = contentLength;
        this.#state = contentLength === 0 ? State.Done : State.BodyLength;
        break;
      case ResponseFraming.Chunked:
        this.#chunked = new ChunkedDecoder(0, this.#maxHeaderSize);
        this.#state = State.BodyChunked;
        break;
      case ResponseFraming.Close:
        this.#state = State.BodyClose;
        break;
      case ResponseFraming.None:
        this.#state = status === 101 ? State.Switched : State.Done;
    }
    this.#sink.onResponseHead(head);
    if (this.#state === State.Done) this.#sink.onResponseEnd();
    return null;
  }

  #fail(error: ParseError): ParseError {
    this.#state = State.Dead;
    this.#pending = null;
    return error;
  }
}

/** RFC 9110 §8.6: one value, or a list of identical values; -1 otherwise. */
function parseLengths(values: readonly string[]): number {
  let length = -1;
  for (const value of values) {
    for (const item of value.split(',')) {
      const n = parseContentLength(item.trim());
      if (n < 0) return -1;
      if (length >= 0 && n !== length) return -1;
      length = n;
    }
  }
  return length;
}

function isChunkedLast(te: string): boolean {
  const comma = te.lastIndexOf(',');
  return (
    te
      .slice(comma + 1)
      .trim()
      .toLowerCase() === 'chunked'
  );
}
