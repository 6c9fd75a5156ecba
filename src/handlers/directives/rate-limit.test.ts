// Unit tests for the per-client token bucket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { createRateLimit, parseRate } from './rate-limit.js';

describe('parseRate', () => {
  it('reads requests per second, minute or hour', () => {
    assert.equal(parseRate('10r/s'), 10);
    assert.equal(parseRate('120r/m'), 2);
    assert.equal(parseRate('3600 r/h'), 1);
    assert.equal(parseRate('0.5r/s'), 0.5);
    assert.ok(Number.isNaN(parseRate('10/s')));
    assert.ok(Number.isNaN(parseRate('0r/s')));
    assert.ok(Number.isNaN(parseRate('fast')));
  });
});

describe('rate limit', () => {
  function setup(options: { perSecond: number; burst: number; maxClients?: number }) {
    let now = 1_000_000;
    const next = new OkHandler();
    const limit = createRateLimit({ maxClients: 1000, ...options, now: () => now }, next);
    const hit = (address = '192.0.2.1'): FakeExchange => {
      const exchange = new FakeExchange({ remoteAddress: address });
      void limit.handle(exchange);
      return exchange;
    };
    return { limit, next, hit, advance: (ms: number) => (now += ms) };
  }

  it('lets a burst through, then answers 429 with Retry-After', () => {
    const { hit } = setup({ perSecond: 1, burst: 3 });
    assert.deepEqual(
      [hit(), hit(), hit()].map((e) => e.status),
      [200, 200, 200],
    );
    const refused = hit();
    assert.equal(refused.status, 429);
    assert.equal(refused.header('retry-after'), '1');
  });

  it('refills at the rate', () => {
    const { hit, advance } = setup({ perSecond: 2, burst: 1 });
    assert.equal(hit().status, 200);
    assert.equal(hit().status, 429);
    advance(250);
    assert.equal(hit().status, 429);
    advance(250);
    assert.equal(hit().status, 200);
  });

  it('says how long to wait at slow rates', () => {
    const { hit } = setup({ perSecond: 1 / 60, burst: 1 });
    hit();
    assert.equal(hit().header('retry-after'), '60');
  });

  it('keeps clients apart', () => {
    const { hit } = setup({ perSecond: 1, burst: 1 });
    assert.equal(hit('192.0.2.1').status, 200);
    assert.equal(hit('192.0.2.1').status, 429);
    assert.equal(hit('192.0.2.2').status, 200);
  });

  it('forgets idle clients, so memory stays bounded', () => {
    const { limit, hit, advance } = setup({ perSecond: 10, burst: 10 });
    for (let i = 0; i < 100; i++) hit(`10.0.0.${i}`);
    assert.equal(limit.clients, 100);
    advance(2000); // full again after 1 s: the same as never seen
    hit('10.0.1.1');
    assert.equal(limit.clients, 1);
  });

  it('never remembers more than max_clients, dropping the least recently seen', () => {
    const { limit, hit } = setup({ perSecond: 1, burst: 1, maxClients: 3 });
    hit('10.0.0.1');
    hit('10.0.0.2');
    hit('10.0.0.3');
    hit('10.0.0.1'); // seen again: now the most recent (and refused)
    hit('10.0.0.4'); // forgets 10.0.0.2
    assert.equal(limit.clients, 3);
    assert.equal(hit('10.0.0.1').status, 429);
    assert.equal(hit('10.0.0.2').status, 200);
  });
});
