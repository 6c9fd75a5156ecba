// The pages a client gets when the proxy cannot get an answer: 502, 503 and 504, as HTML or plain text.
import type { Exchange } from '../../http/exchange.js';
import { findHeader } from '../../http/request-head.js';
import { reasonPhrase } from '../../http/status-text.js';

const EXPLANATIONS: Readonly<Record<number, string>> = {
  502: 'The server behind this proxy failed to answer properly. Try again in a moment.',
  503: 'No server behind this proxy is available right now. Try again in a moment.',
  504: 'The server behind this proxy did not answer in time. Try again in a moment.',
};

const HTML_FIELDS = [
  'Content-Type',
  'text/html; charset=utf-8',
  'Cache-Control',
  'no-store',
  'X-Content-Type-Options',
  'nosniff',
];
const TEXT_FIELDS = [
  'Content-Type',
  'text/plain; charset=utf-8',
  'Cache-Control',
  'no-store',
  'X-Content-Type-Options',
  'nosniff',
];

/** Sends the error page (or cuts the connection when a response is already under way). */
export function sendProxyError(exchange: Exchange, status: 502 | 503 | 504): void {
  if (exchange.closed) return;
  if (exchange.headSent) {
    exchange.abort();
    return;
  }
  const title = `${status} ${reasonPhrase(status)}`;
  const text = EXPLANATIONS[status] ?? '';
  const accept = findHeader(exchange.request.headers, 'accept');
  if (accept !== undefined && accept.includes('text/html')) {
    exchange.send(
      status,
      HTML_FIELDS,
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>\n` +
        `<body><h1>${title}</h1>\n<p>${text}</p>\n<hr><p>porta</p></body></html>\n`,
    );
  } else {
    exchange.send(status, TEXT_FIELDS, `${title}\n${text}\n`);
  }
}
