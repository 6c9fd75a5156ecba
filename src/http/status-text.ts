// Reason phrases for status lines (RFC 9110 §15); the phrase is informational only.
import { STATUS_CODES } from 'node:http';

/** "HTTP/1.1 200 OK\r\n" for every status, built once. */
const STATUS_LINES: string[] = [];
for (let status = 100; status < 600; status++) {
  STATUS_LINES[status] = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
}

export function statusLine(status: number): string {
  return STATUS_LINES[status] ?? `HTTP/1.1 ${status} Unknown\r\n`;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** RFC 9110 §15.4.5, §15.3.5, §15.2: these statuses never carry content. */
export function isBodyless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}
