// The `Response` apps construct in a worker that runs an app: status, headers and a string, bytes
// or stream body kept as given, so porta writes them without a body stream; undici's Response is
// built once, on demand, for anything else (text(), clone(), type, ...). Installed as the global.
import { Readable } from 'node:stream';
import { delegateToFull } from './delegate.js';

const NativeResponse = globalThis.Response;
type ResponseBody = ConstructorParameters<typeof Response>[0];

/** undici's content type for a string body (Fetch standard, "extract a body"). */
const TEXT_TYPE = 'text/plain;charset=UTF-8';

/** The Fetch standard's null body statuses: a body with one of them is a TypeError. */
function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}

const encoder = new TextEncoder();

/**
 * A whole body handed to a byte stream the first time someone asks for `response.body`. Encoded
 * (into fresh memory: a byte stream takes over the buffer it is given) only if read.
 */
class WholeBodySource {
  readonly type = 'bytes';
  #whole: string | Uint8Array | null;

  constructor(whole: string | Uint8Array) {
    this.#whole = whole;
  }

  pull(controller: ReadableByteStreamController): void {
    const whole = this.#whole;
    this.#whole = null;
    if (whole !== null && whole.length > 0) {
      controller.enqueue(typeof whole === 'string' ? encoder.encode(whole) : new Uint8Array(whole));
    }
    controller.close();
  }

  cancel(): void {
    this.#whole = null;
  }
}

/** The fields of a response with no headers given: none, or the Content-Type its body implies. */
const NO_FIELDS: readonly string[] = [];
const TEXT_FIELDS: readonly string[] = ['content-type', TEXT_TYPE];

/** What `AppResponse.whole` says when the body is not (or no longer) whole: stream it. */
export const STREAMED: unique symbol = Symbol('streamed');

/**
 * Built by `new Response(body, init)` in the app. Takes the fast path for a body that is null, a
 * string, a Uint8Array or a ReadableStream and a numeric status; any other body or init goes to
 * undici's Response at once (which also throws its errors), and so does every field not below.
 */
export class AppResponse {
  #status = 200;
  /** The headers as given (copied), null until asked for when none were given. */
  #headers: Headers | null = null;
  /** The body is a string: Content-Type text/plain unless the headers say otherwise. */
  #impliesText = false;
  /** A whole body (string or a copy of the bytes given), null for no body or a stream. */
  #whole: string | Uint8Array | null = null;
  /** The app's stream, or the one `body` made from the whole body. */
  #stream: ReadableStream<Uint8Array> | null = null;
  /** undici's Response, once something needed it; from then on it answers everything. */
  #native: Response | null = null;

  static [Symbol.hasInstance](value: unknown): boolean {
    // `x instanceof Response` (this class, as the global) holds for undici's responses and ours;
    // an app's subclass keeps the ordinary rule.
    if (this !== AppResponse) return Function.prototype[Symbol.hasInstance].call(this, value);
    return (
      typeof value === 'object' &&
      value !== null &&
      Object.prototype.isPrototypeOf.call(NativeResponse.prototype, value)
    );
  }

  /** Whether `value` is one of these (`instanceof` says yes for undici's responses too). */
  static isLight(value: unknown): value is AppResponse {
    return typeof value === 'object' && value !== null && #native in value;
  }

  constructor(body?: unknown, init?: unknown) {
    const light =
      this.#takeInit(init, body) &&
      this.#takeBody(body) &&
      // RFC 9110 §15.3.5, §15.4.5: undici's TypeError for a body on a 204, 205 or 304.
      !(isNullBodyStatus(this.#status) && (this.#whole !== null || this.#stream !== null));
    if (!light) {
      this.#whole = null;
      this.#stream = null;
      this.#headers = null;
      this.#native = new NativeResponse(body as ResponseBody, init as ResponseInit);
    }
  }

  /** False when the init is one for undici to read (or to reject). */
  #takeInit(init: unknown, body: unknown): boolean {
    if (init === undefined || init === null) return true;
    if (AppResponse.isLight(init) && init.#native === null) {
      // `new Response(old.body, old)`, as Hono does to change a finished response's headers.
      this.#status = init.#status;
      this.#headers = init.#headers === null ? null : new Headers(init.#headers);
      this.#impliesText = init.#impliesText;
      if (body !== null && body !== undefined && body === init.#stream) {
        this.#whole = init.#whole; // the same stream, still known whole while nobody reads it
        this.#stream = init.#stream;
      }
      return true;
    }
    if (typeof init !== 'object' || init instanceof NativeResponse) return false;
    const { status, statusText, headers } = init as ResponseInit;
    if (status !== undefined) {
      if (typeof status !== 'number' || !Number.isInteger(status)) return false;
      if (status < 200 || status > 599) return false;
      this.#status = status;
    }
    // A reason phrase is undici's to check and keep (porta writes its own).
    if (statusText !== undefined && statusText !== '') return false;
    if (headers !== undefined) this.#headers = new Headers(headers);
    return true;
  }

  /** False when the body is a kind only undici takes (Blob, FormData, URLSearchParams, ...). */
  #takeBody(body: unknown): boolean {
    if (body === null || body === undefined) return true;
    if (this.#stream !== null) return isUsable(this.#stream); // taken over from the init response
    if (typeof body === 'string') {
      this.#whole = body;
      if (this.#headers === null) this.#impliesText = true;
      else if (!this.#headers.has('content-type')) this.#headers.set('content-type', TEXT_TYPE);
      return true;
    }
    if (body instanceof Uint8Array) {
      this.#whole = Buffer.from(body); // undici copies too: the app may reuse its array
      return true;
    }
    if (body instanceof ReadableStream && isUsable(body)) {
      this.#stream = body as ReadableStream<Uint8Array>;
      return true;
    }
    return false;
  }

  get status(): number {
    return this.#native?.status ?? this.#status;
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status <= 299;
  }

  get statusText(): string {
    return this.#native?.statusText ?? '';
  }

  get headers(): Headers {
    if (this.#native !== null) return this.#native.headers;
    let headers = this.#headers;
    if (headers === null) {
      headers = new Headers();
      if (this.#impliesText) headers.set('content-type', TEXT_TYPE);
      this.#headers = headers;
    }
    return headers;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#native !== null) return this.#native.body;
    if (this.#stream === null && this.#whole !== null) {
      this.#stream = new ReadableStream(new WholeBodySource(this.#whole));
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    if (this.#native !== null) return this.#native.bodyUsed;
    return this.#stream !== null && isDisturbed(this.#stream);
  }

  /**
   * For porta's writer: the whole body while nobody has read its stream (null for none), else
   * STREAMED (then read `body`).
   */
  get whole(): string | Uint8Array | null | typeof STREAMED {
    if (this.#native !== null) return STREAMED;
    const stream = this.#stream;
    if (stream === null) return this.#whole;
    return this.#whole !== null && isUsable(stream) ? this.#whole : STREAMED;
  }

  /**
   * For porta's writer: the fields when no headers were given (none, or the Content-Type a string
   * implies) without making a Headers; null when `headers` holds them.
   */
  get impliedFields(): readonly string[] | null {
    if (this.#native !== null || this.#headers !== null) return null;
    return this.#impliesText ? TEXT_FIELDS : NO_FIELDS;
  }

  /** undici's Response with the same status, headers and body, built once. */
  toResponse(): Response {
    let native = this.#native;
    if (native === null) {
      const body = this.#stream ?? this.#whole;
      native = new NativeResponse(body, { status: this.#status, headers: this.headers });
      this.#native = native;
      this.#headers = null;
      this.#whole = null;
      this.#stream = null;
    }
    return native;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Response { status: ${this.status}, bodyUsed: ${this.bodyUsed} }`;
  }
}

function isDisturbed(stream: ReadableStream): boolean {
  return Readable.isDisturbed(stream as unknown as Readable);
}

/** A locked or read stream is undici's TypeError to throw. */
function isUsable(stream: ReadableStream): boolean {
  return !stream.locked && !isDisturbed(stream);
}

delegateToFull(AppResponse.prototype, NativeResponse.prototype, (self: AppResponse) =>
  self.toResponse(),
);
// Statics (Response.json, Response.redirect, Response.error) come from undici's class.
Object.setPrototypeOf(AppResponse, NativeResponse);

/**
 * Makes `Response` in this process the lightweight one (apps call `new Response(...)` through the
 * global), once. What @hono/node-server does by default; `instanceof Response` still holds for
 * undici's responses (fetch's).
 */
export function installAppResponse(): void {
  if ((globalThis.Response as unknown) === AppResponse) return;
  Object.defineProperty(globalThis, 'Response', {
    value: AppResponse,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
