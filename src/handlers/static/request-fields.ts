// The request header fields the static handler reads, gathered in one pass over the header list.
import type { ConditionalFields } from '../../http/conditional.js';

/**
 * Accept-Encoding, the precondition fields, Range and If-Range of one request. One pass, names
 * compared by length first and then ASCII case-insensitively without allocating; the first
 * occurrence of a field wins.
 */
export class RequestFields implements ConditionalFields {
  acceptEncoding: string | undefined = undefined;
  ifMatch: string | undefined = undefined;
  ifNoneMatch: string | undefined = undefined;
  ifModifiedSince: string | undefined = undefined;
  ifUnmodifiedSince: string | undefined = undefined;
  range: string | undefined = undefined;
  ifRange: string | undefined = undefined;

  constructor(headers: readonly string[]) {
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      switch (name.length) {
        case 5:
          if (this.range === undefined && equalsLower(name, 'range')) this.range = headers[i + 1];
          break;
        case 8:
          if (equalsLower(name, 'if-match')) this.ifMatch ??= headers[i + 1];
          else if (equalsLower(name, 'if-range')) this.ifRange ??= headers[i + 1];
          break;
        case 13:
          if (equalsLower(name, 'if-none-match')) this.ifNoneMatch ??= headers[i + 1];
          break;
        case 15:
          if (equalsLower(name, 'accept-encoding')) this.acceptEncoding ??= headers[i + 1];
          break;
        case 17:
          if (equalsLower(name, 'if-modified-since')) this.ifModifiedSince ??= headers[i + 1];
          break;
        case 19:
          if (equalsLower(name, 'if-unmodified-since')) this.ifUnmodifiedSince ??= headers[i + 1];
          break;
      }
    }
  }
}

/**
 * Whether a field name equals a lowercase name of the same length, ignoring ASCII case. Setting
 * bit 0x20 lowercases letters and keeps "-"; field names are tokens (RFC 9110 §5.1), so no
 * other character can alias a letter or "-" this way.
 */
export function equalsLower(name: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}
