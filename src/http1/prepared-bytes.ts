// The HTTP/1.1 bytes of a prepared response (respond, cached small files), ready to write.
//
// The head differs only by the Date second, the Connection field and whether a body follows
// (HEAD), so each of those variants is serialised once per second and then written as it is:
// no string building, no copy, one write per response.
import type { PreparedResponse } from '../http/prepared-response.js';
import { dateField } from './date-header.js';
import { Framing, buildResponseHead, isBodyless } from './response-head.js';

/** Variant slots: the Connection field ("", "close", "keep-alive") times head-only or whole. */
const VARIANTS = 6;

/** One prepared response's variants for the current Date second. */
class PreparedBytes {
  /** The Date field the cached bytes carry; any other second rebuilds them. */
  date = '';
  readonly variants: (Buffer | null)[] = new Array<Buffer | null>(VARIANTS).fill(null);
}

/** Kept beside each response without a field on it: the http layer knows nothing of HTTP/1.1 bytes. */
const cache = new WeakMap<PreparedResponse, PreparedBytes>();

/**
 * The response bytes for a Connection field ("" for the version's default, "close" or
 * "keep-alive") at time `now`; without the body when `headOnly` (HEAD).
 */
export function preparedBytes(
  response: PreparedResponse,
  connection: string,
  headOnly: boolean,
  now: number,
): Buffer {
  let entry = cache.get(response);
  if (entry === undefined) {
    entry = new PreparedBytes();
    cache.set(response, entry);
  }
  const date = dateField(now);
  const variants = entry.variants;
  if (date !== entry.date) {
    entry.date = date;
    variants.fill(null);
  }
  const slot = (connection === '' ? 0 : connection === 'close' ? 2 : 4) + (headOnly ? 1 : 0);
  let bytes = variants[slot];
  if (bytes === null || bytes === undefined) {
    const body = response.body;
    // 1xx, 204 and 304 carry neither a body nor a length (RFC 9110 §8.6).
    const framing = isBodyless(response.status) ? Framing.None : Framing.Length;
    const head = buildResponseHead(
      response.status,
      response.headers,
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
