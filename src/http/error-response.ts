// Error responses a handler or the router sends: a small HTML or text page per status.
import { reasonPhrase } from './status-text.js';
import type { Exchange } from './exchange.js';

const TEXT = ['Content-Type', 'text/plain; charset=utf-8', 'X-Content-Type-Options', 'nosniff'];

/** Sends `status` with a one-line text body; extra header fields may be given (e.g. Allow). */
export function sendError(exchange: Exchange, status: number, extra: readonly string[] = []): void {
  const headers = extra.length === 0 ? TEXT : [...TEXT, ...extra];
  exchange.send(status, headers, `${status} ${reasonPhrase(status)}\n`);
}
