// A fixed response (respond handler, cached small files) kept as ready-to-write bytes.
//
// The head differs only by the Date second, the Connection field and whether a body follows
// (HEAD), so each of those variants is serialised once per second and then written as it is:
// no string building, no copy, one write per response.
import { dateField } from './date-header.js';
import { Framing, buildResponseHead, isBodyless } from './response-head.js';

/** Variant slots: the Connection field ("", "close", "keep-alive") times head-only or whole. */
const VARIANTS = 6;

export class PreparedResponse {
  readonly status: number;
  /** Handler fields, flat name/value, as `send` takes them. */
  readonly headers: readonly string[];
  readonly body: Buffer;
  /** The Date field the cached bytes carry; any other second rebuilds them. */
  #date = '';
  readonly #bytes: (Buffer | null)[] = new Array<Buffer | null>(VARIANTS).fill(null);

  constructor(status: number, headers: readonly string[], body: Buffer) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /**
   * The response bytes for a Connection field ("" for the version's default, "close" or
   * "keep-alive") at time `now`; without the body when `headOnly` (HEAD).
   */
  bytes(connection: string, headOnly: boolean, now: number): Buffer {
    const date = dateField(now);
    const variants = this.#bytes;
    if (date !== this.#date) {
      this.#date = date;
      variants.fill(null);
    }
    const slot = (connection === '' ? 0 : connection === 'close' ? 2 : 4) + (headOnly ? 1 : 0);
    let bytes = variants[slot];
    if (bytes === null || bytes === undefined) {
      const body = this.body;
      // 1xx, 204 and 304 carry neither a body nor a length (RFC 9110 §8.6).
      const framing = isBodyless(this.status) ? Framing.None : Framing.Length;
      const head = buildResponseHead(
        this.status,
        this.headers,
        framing,
        body.length,
        connection,
        now,
      );
      const headLength = Buffer.byteLength(head, 'latin1');
      bytes = Buffer.allocUnsafeSlow(headLength + (headOnly ? 0 : body.length));
      bytes.write(head, 0, headLength, 'latin1');
      if (!headOnly) body.copy(bytes, headLength);
      variants[slot] = bytes;
    }
    return bytes;
  }
}
