// Fixed responses for protocol errors: the connection closes after them (RFC 9112 §9.6).
import { dateField } from './date-header.js';
import { reasonPhrase, statusLine } from '../http/status-text.js';

const SERVER = 'Server: porta\r\n';

function cannedBody(status: number): string {
  return `${status} ${reasonPhrase(status)}\n`;
}

/** The body size of cannedResponse(status): what the access log reports as sent. */
export function cannedBodyLength(status: number): number {
  return cannedBody(status).length;
}

/** A complete error response with `Connection: close`; the body is the reason phrase. */
export function cannedResponse(status: number, now: number): string {
  const body = cannedBody(status);
  return (
    statusLine(status) +
    SERVER +
    dateField(now) +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

export const CONTINUE_100 = 'HTTP/1.1 100 Continue\r\n\r\n';
export const SERVER_FIELD = SERVER;
