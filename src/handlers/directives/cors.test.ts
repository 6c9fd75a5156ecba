// Unit tests for the cors directive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { type CorsOptions, createCors } from './cors.js';

const BASE: CorsOptions = {
  origins: ['https://app.example', 'https://*.example.com'],
  methods: ['GET', 'POST', 'PUT'],
  headers: [],
  exposeHeaders: [],
  credentials: false,
  maxAgeSeconds: null,
};

function run(options: Partial<CorsOptions>, method: string, headers: string[]) {
  const next = new OkHandler();
  const exchange = new FakeExchange({ method, headers: ['Host', 'h', ...headers] });
  void createCors({ ...BASE, ...options }, next).handle(exchange);
  return { exchange, next };
}

describe('cors', () => {
  it('echoes a listed origin on a simple request, with Vary: Origin', () => {
    const { exchange, next } = run({}, 'GET', ['Origin', 'https://app.example']);
    assert.equal(next.calls, 1);
    assert.equal(exchange.header('access-control-allow-origin'), 'https://app.example');
    assert.deepEqual(exchange.headerValues('vary'), ['Origin']);
    assert.equal(exchange.header('access-control-allow-credentials'), undefined);
  });

  it('matches subdomain wildcards, and nothing that only looks like one', () => {
    assert.equal(
      run({}, 'GET', ['Origin', 'https://a.b.example.com']).exchange.header(
        'access-control-allow-origin',
      ),
      'https://a.b.example.com',
    );
    for (const origin of [
      'https://example.com',
      'http://a.example.com',
      'https://evil.com/.example.com',
      'https://a.example.com.evil',
    ]) {
      assert.equal(
        run({}, 'GET', ['Origin', origin]).exchange.header('access-control-allow-origin'),
        undefined,
        origin,
      );
    }
  });

  it('sends no CORS fields to other origins, but still Vary', () => {
    const { exchange, next } = run({}, 'GET', ['Origin', 'https://evil.example']);
    assert.equal(next.calls, 1);
    assert.equal(exchange.header('access-control-allow-origin'), undefined);
    assert.deepEqual(exchange.headerValues('vary'), ['Origin']);
    assert.deepEqual(run({}, 'GET', []).exchange.headerValues('vary'), ['Origin']);
  });

  it('sends "*" for any origin without credentials, and no Vary', () => {
    const { exchange } = run({ origins: ['*'], exposeHeaders: ['ETag'] }, 'GET', [
      'Origin',
      'https://x.test',
    ]);
    assert.equal(exchange.header('access-control-allow-origin'), '*');
    assert.equal(exchange.header('access-control-expose-headers'), 'ETag');
    assert.deepEqual(exchange.headerValues('vary'), []);
  });

  it('with credentials echoes the origin, never "*"', () => {
    const { exchange } = run({ credentials: true }, 'POST', ['Origin', 'https://app.example']);
    assert.equal(exchange.header('access-control-allow-origin'), 'https://app.example');
    assert.equal(exchange.header('access-control-allow-credentials'), 'true');
    assert.deepEqual(exchange.headerValues('vary'), ['Origin']);
  });

  it('never echoes the "null" origin unless listed', () => {
    assert.equal(
      run({}, 'GET', ['Origin', 'null']).exchange.header('access-control-allow-origin'),
      undefined,
    );
    assert.equal(
      run({ origins: ['null'] }, 'GET', ['Origin', 'null']).exchange.header(
        'access-control-allow-origin',
      ),
      'null',
    );
  });

  it('answers a preflight with 204 without calling the handler', () => {
    const { exchange, next } = run({ maxAgeSeconds: 600, credentials: true }, 'OPTIONS', [
      'Origin',
      'https://app.example',
      'Access-Control-Request-Method',
      'PUT',
      'Access-Control-Request-Headers',
      'content-type, x-token',
    ]);
    assert.equal(next.calls, 0);
    assert.equal(exchange.status, 204);
    assert.equal(exchange.header('access-control-allow-origin'), 'https://app.example');
    assert.equal(exchange.header('access-control-allow-methods'), 'GET, POST, PUT');
    assert.equal(exchange.header('access-control-allow-headers'), 'content-type, x-token');
    assert.equal(exchange.header('access-control-max-age'), '600');
    assert.equal(exchange.header('access-control-allow-credentials'), 'true');
    assert.match(exchange.header('vary') ?? '', /^Origin, Access-Control-Request-Method/);
  });

  it('lists configured request fields instead of echoing them', () => {
    const { exchange } = run({ headers: ['Content-Type'] }, 'OPTIONS', [
      'Origin',
      'https://app.example',
      'Access-Control-Request-Method',
      'POST',
      'Access-Control-Request-Headers',
      'x-anything',
    ]);
    assert.deepEqual(exchange.headerValues('access-control-allow-headers'), ['Content-Type']);
  });

  it('passes an OPTIONS that is no preflight, or from another origin, to the handler', () => {
    assert.equal(run({}, 'OPTIONS', ['Origin', 'https://app.example']).next.calls, 1);
    assert.equal(
      run({}, 'OPTIONS', ['Origin', 'https://evil.example', 'Access-Control-Request-Method', 'PUT'])
        .next.calls,
      1,
    );
  });
});
