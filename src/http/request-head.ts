// The head of one request as an engine hands it on: HTTP/1.x (RFC 9112 §3, §5) or HTTP/2 (RFC 9113 §8.3).

/** Body framing chosen once from the head (RFC 9112 §6.3); an HTTP/2 body of unknown length is Chunked. */
export const enum BodyKind {
  None = 0,
  ContentLength = 1,
  Chunked = 2,
}

export interface RequestHead {
  /** Method token, case as sent (methods are case-sensitive, RFC 9110 §9.1). */
  readonly method: string;
  /** The request-target exactly as sent. */
  readonly target: string;
  /** Path part of an origin-form or absolute-form target, raw (not percent-decoded); "*" for asterisk-form, the authority for CONNECT. */
  readonly path: string;
  /** Query including its leading "?", or "" when there is none. */
  readonly query: string;
  /** 1 for HTTP/1.x, 2 for HTTP/2. */
  readonly versionMajor: number;
  /** 0 for HTTP/1.0 and HTTP/2, 1 for HTTP/1.1. */
  readonly versionMinor: number;
  /** Header fields in arrival order, flat: [name, value, name, value, ...]; names as sent, values trimmed. */
  readonly headers: readonly string[];
  /** The Host field value (or the authority of an absolute-form target), "" when absent (HTTP/1.0). */
  readonly host: string;
  /** Whether the client allows the connection to stay open after this exchange. */
  readonly keepAlive: boolean;
  /** Body framing. */
  readonly bodyKind: BodyKind;
  /** Content-Length when bodyKind is ContentLength, else -1. */
  readonly contentLength: number;
  /** The client sent `Expect: 100-continue`. */
  readonly expectContinue: boolean;
  /** The Upgrade field value when the client asked for one (with Connection: upgrade), else "". */
  readonly upgrade: string;
  /**
   * The head's bytes exactly as received, request line to the empty line (the echo returns
   * them); null when the fields were edited (request_headers) or the protocol has no such bytes.
   */
  readonly received: Buffer | null;
}

/** Finds a header value by name, ASCII case-insensitively; the first one when repeated. */
export function findHeader(headers: readonly string[], lowerName: string): string | undefined {
  const length = lowerName.length;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === length && (name === lowerName || name.toLowerCase() === lowerName)) {
      return headers[i + 1];
    }
  }
  return undefined;
}

/** Content-Length = 1*DIGIT (RFC 9110 §8.6); -1 when not digits only or too large to be exact. */
export function parseContentLength(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
