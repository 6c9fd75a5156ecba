// The short built-in bodies and fields of the handler's error and redirect responses.
import type { HeaderList } from '../../http/exchange.js';

const REASONS: Readonly<Record<number, string>> = {
  301: 'Moved Permanently',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  416: 'Range Not Satisfiable',
  500: 'Internal Server Error',
};

const bodies = new Map<number, string>();

/** A one-line text body, `404 Not Found`, built once per status. */
export function errorBody(status: number): string {
  let body = bodies.get(status);
  if (body === undefined) {
    body = `${status} ${REASONS[status] ?? 'Error'}\n`;
    bodies.set(status, body);
  }
  return body;
}

/** Fields of a built-in error body, plus the given CORS fields (scripts may read the status). */
export function errorFields(corsFields: HeaderList): HeaderList {
  return [
    'Content-Type',
    'text/plain; charset=utf-8',
    'X-Content-Type-Options',
    'nosniff',
    ...corsFields,
  ];
}
