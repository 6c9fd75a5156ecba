// Unit tests for the order in which directives wrap a handler.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseCidr } from '../../net/cidr.js';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { type DirectiveOptions, composeDirectives } from './compose.js';
import { hashPassword, parsePasswordHash } from './password-hash.js';

const AUTH = `Basic ${Buffer.from('alice:secret').toString('base64')}`;

describe('composeDirectives', () => {
  let options: DirectiveOptions;

  before(async () => {
    const hash = parsePasswordHash(await hashPassword('secret', { n: 1024, r: 8, p: 1 }));
    options = {
      responseHeaders: { set: ['X-Frame-Options', 'DENY'], add: [], remove: [] },
      ipFilter: { allow: [parseCidr('127.0.0.0/8')], deny: [] },
      cors: {
        origins: ['https://app.example'],
        methods: ['GET'],
        headers: [],
        exposeHeaders: [],
        credentials: true,
        maxAgeSeconds: null,
      },
      rateLimit: { perSecond: 1, burst: 100, maxClients: 10 },
      basicAuth: {
        realm: 'r',
        users: [{ user: 'alice', hash }],
        maxFailures: 10,
        lockoutMs: 60_000,
      },
      maxBodySize: 10,
      requestHeaders: { set: [], add: [], remove: ['authorization'] },
    };
  });

  it('returns the handler itself when there are no directives', () => {
    const handler = new OkHandler();
    assert.equal(composeDirectives({}, handler), handler);
    assert.equal(
      composeDirectives(
        {
          ipFilter: { allow: [], deny: [] },
          maxBodySize: 0,
          requestHeaders: { set: [], add: [], remove: [] },
        },
        handler,
      ),
      handler,
    );
  });

  it('puts response headers on a 403 from allow/deny', async () => {
    const exchange = new FakeExchange({ remoteAddress: '192.0.2.1' });
    await composeDirectives(options, new OkHandler()).handle(exchange);
    assert.equal(exchange.status, 403);
    assert.equal(exchange.header('x-frame-options'), 'DENY');
  });

  it('answers a preflight before auth, and a 401 carries CORS fields', async () => {
    const chain = composeDirectives(options, new OkHandler());
    const preflight = new FakeExchange({
      method: 'OPTIONS',
      headers: ['Origin', 'https://app.example', 'Access-Control-Request-Method', 'GET'],
    });
    await chain.handle(preflight);
    assert.equal(preflight.status, 204);
    const denied = new FakeExchange({ headers: ['Origin', 'https://app.example'] });
    await chain.handle(denied);
    assert.equal(denied.status, 401);
    assert.equal(denied.header('access-control-allow-origin'), 'https://app.example');
  });

  it('checks auth on the fields the client sent, then edits what the handler sees', async () => {
    const next = new OkHandler();
    const exchange = new FakeExchange({ headers: ['Host', 'h', 'Authorization', AUTH] });
    await composeDirectives(options, next).handle(exchange);
    assert.equal(exchange.status, 200);
    assert.deepEqual(next.lastRequestHeaders, ['Host', 'h']);
  });

  it('checks the body size after auth', async () => {
    const chain = composeDirectives(options, new OkHandler());
    const anonymous = new FakeExchange({ method: 'POST', contentLength: 100 });
    await chain.handle(anonymous);
    assert.equal(anonymous.status, 401);
    const known = new FakeExchange({
      method: 'POST',
      contentLength: 100,
      headers: ['Authorization', AUTH],
    });
    await chain.handle(known);
    assert.equal(known.status, 413);
  });
});
