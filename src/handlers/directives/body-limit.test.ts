// Unit tests for the max_body_size directive (the streaming part is tested end to end).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { createBodyLimit } from './body-limit.js';

describe('body limit', () => {
  it('refuses a declared length over the cap before the handler runs', () => {
    const next = new OkHandler();
    const exchange = new FakeExchange({ method: 'POST', contentLength: 11 });
    void createBodyLimit(10, next).handle(exchange);
    assert.equal(exchange.status, 413);
    assert.equal(next.calls, 0);
  });

  it('lets smaller bodies and body-less requests through', () => {
    const next = new OkHandler();
    const limit = createBodyLimit(10, next);
    void limit.handle(new FakeExchange({ method: 'POST', contentLength: 10 }));
    void limit.handle(new FakeExchange());
    assert.equal(next.calls, 2);
  });

  it('hands a chunked body to the engine to count', () => {
    const exchange = new FakeExchange({ method: 'POST', chunked: true });
    void createBodyLimit(10, new OkHandler()).handle(exchange);
    assert.equal(exchange.bodyLimit, 10);
    assert.equal(exchange.status, 200);
  });
});
