// Unit tests for the request_headers and response_headers directives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { createRequestHeaders, createResponseHeaders } from './headers.js';

describe('response headers', () => {
  it('sets, adds and removes fields on the response', () => {
    const directive = createResponseHeaders(
      {
        set: ['Content-Type', 'text/html'],
        add: ['Link', '</a>', 'Link', '</b>'],
        remove: ['X-Handler'],
      },
      new OkHandler(),
    );
    const exchange = new FakeExchange();
    void directive.handle(exchange);
    assert.deepEqual(exchange.sentHeaders, [
      'Content-Type',
      'text/html',
      'Link',
      '</a>',
      'Link',
      '</b>',
    ]);
  });
});

describe('request headers', () => {
  it('hands the handler an edited request, in any case', () => {
    const next = new OkHandler();
    const directive = createRequestHeaders(
      { set: ['X-Forwarded-Proto', 'https'], add: ['X-Tag', 'a'], remove: ['cookie'] },
      next,
    );
    const exchange = new FakeExchange({
      headers: ['Host', 'h', 'Cookie', 'secret', 'x-forwarded-proto', 'http', 'X-Tag', 'z'],
    });
    void directive.handle(exchange);
    assert.deepEqual(next.lastRequestHeaders, [
      'Host',
      'h',
      'X-Tag',
      'z',
      'X-Forwarded-Proto',
      'https',
      'X-Tag',
      'a',
    ]);
  });
});
