// The Date header field (RFC 9110 §6.6.1), formatted at most once per second.
import { formatHttpDate } from '../http/conditional.js';

let cachedSecond = -1;
let cachedField = '';

/** "Date: Tue, 24 Nov 2026 18:44:42 GMT\r\n" for the current second. */
export function dateField(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedField = `Date: ${formatHttpDate(second * 1000)}\r\n`;
  }
  return cachedField;
}
