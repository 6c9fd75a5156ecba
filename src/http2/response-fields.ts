// Turns a handler's flat response field list into the header object node:http2 sends (RFC 9113 §8.3.2).
import type { OutgoingHttpHeaders } from 'node:http2';

/**
 * RFC 9113 §8.2.2: connection-specific fields must not appear in HTTP/2 (node:http2 throws on
 * them); Content-Length is the engine's to set.
 */
function isDropped(lowerName: string): boolean {
  switch (lowerName) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
    case 'content-length':
      return true;
    default:
      return false;
  }
}

/**
 * The header object for `status` and `fields` ([name, value, ...]): names lower case, repeated
 * names as arrays, `content-length` when `length` >= 0. node:http2 adds Date.
 */
export function responseFields(
  status: number,
  fields: readonly string[],
  length: number,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':status': status, server: 'porta' };
  for (let i = 0; i < fields.length; i += 2) {
    const name = (fields[i] as string).toLowerCase();
    if (isDropped(name)) continue;
    const value = fields[i + 1] as string;
    const previous = out[name];
    if (previous === undefined || name === 'server') out[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else out[name] = [String(previous), value];
  }
  if (length >= 0) out['content-length'] = length;
  return out;
}
