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

/** The 404 page of a root folder without index.html (listing off): says how to browse it. */
export const NO_INDEX_PAGE =
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>No index.html here</title></head>\n' +
  '<body><h1>404: no index.html here</h1>\n' +
  '<p>This folder has no <code>index.html</code>; start with <code>--listing</code> to browse ' +
  'it (<code>porta serve --listing</code>, or <code>listing: true</code> in porta.yaml).</p>\n' +
  '</body></html>\n';

/** Fields of the no-index page (an HTML 404). */
export function noIndexFields(corsFields: HeaderList): HeaderList {
  return [
    'Content-Type',
    'text/html; charset=utf-8',
    'X-Content-Type-Options',
    'nosniff',
    ...corsFields,
  ];
}
