// Serialises a response head (RFC 9112 §4, §6): status line, engine fields, handler fields, framing.
import { SERVER_FIELD } from './canned-responses.js';
import { dateField } from './date-header.js';
import { statusLine } from '../http/status-text.js';
export { isBodyless } from '../http/status-text.js';

/** Framing of a response body, chosen once when the head is written (RFC 9112 §6.3). */
export const enum Framing {
  /** Content-Length: n */
  Length,
  /** Transfer-Encoding: chunked (HTTP/1.1 only) */
  Chunked,
  /** The body ends when the connection closes (HTTP/1.0 without a length). */
  Close,
  /** No body and no length field (1xx, 204, 304). */
  None,
}

/**
 * Builds the head. `connection` is "close", "keep-alive" or "" (no field: the version's default).
 */
export function buildResponseHead(
  status: number,
  headers: readonly string[],
  framing: Framing,
  length: number,
  connection: string,
  now: number,
): string {
  let head = statusLine(status) + SERVER_FIELD + dateField(now);
  for (let i = 0; i < headers.length; i += 2) {
    head += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
  }
  if (framing === Framing.Length) head += `Content-Length: ${length}\r\n`;
  else if (framing === Framing.Chunked) head += 'Transfer-Encoding: chunked\r\n';
  if (connection === 'close') head += 'Connection: close\r\n';
  else if (connection === 'keep-alive') head += 'Connection: keep-alive\r\n';
  return head + '\r\n';
}
