// Unit tests for the basic_auth directive.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Handler } from '../../http/exchange.js';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { createBasicAuth } from './basic-auth.js';
import { type PasswordHash, hashPassword, parsePasswordHash } from './password-hash.js';

const CHEAP = { n: 1024, r: 8, p: 1 };

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function answer(directive: Handler, authorization?: string): Promise<FakeExchange> {
  const exchange = new FakeExchange({
    headers:
      authorization === undefined ? ['Host', 'h'] : ['Host', 'h', 'Authorization', authorization],
  });
  await directive.handle(exchange);
  return exchange;
}

describe('basic auth', () => {
  let alice: PasswordHash;
  let bob: PasswordHash;

  before(async () => {
    alice = parsePasswordHash(await hashPassword('wonder:land', CHEAP));
    bob = parsePasswordHash(await hashPassword('builder', CHEAP));
  });

  function setup(options: { maxConcurrentChecks?: number; cacheMs?: number } = {}) {
    const next = new OkHandler();
    const directive = createBasicAuth(
      {
        realm: 'Staff "only"',
        users: [
          { user: 'alice', hash: alice },
          { user: 'bob', hash: bob },
        ],
        ...options,
      },
      next,
    );
    return { next, directive };
  }

  it('challenges a request without credentials (RFC 7617 §2)', async () => {
    const { directive, next } = setup();
    const exchange = await answer(directive);
    assert.equal(exchange.status, 401);
    assert.equal(
      exchange.header('www-authenticate'),
      'Basic realm="Staff \\"only\\"", charset="UTF-8"',
    );
    assert.equal(next.calls, 0);
  });

  it('lets a listed user in; the password may contain a colon', async () => {
    const { directive, next } = setup();
    assert.equal((await answer(directive, basic('alice', 'wonder:land'))).status, 200);
    assert.equal(
      (await answer(directive, `bAsIc   ${Buffer.from('bob:builder').toString('base64')}`)).status,
      200,
    );
    assert.equal(next.calls, 2);
  });

  it('refuses a wrong password, an unknown user, other schemes and garbage', async () => {
    const { directive, next } = setup();
    for (const field of [
      basic('alice', 'wonder'),
      basic('carol', 'builder'),
      basic('bob', ''),
      'Bearer abc',
      'Basic !!!',
      'Basic',
      `Basic ${Buffer.from('no colon').toString('base64')}`,
    ]) {
      assert.equal((await answer(directive, field)).status, 401, field);
    }
    assert.equal(next.calls, 0);
  });

  it('does not hash a correct login again while it is cached', async () => {
    const { directive } = setup();
    const field = basic('alice', 'wonder:land');
    await answer(directive, field);
    // A cached login answers synchronously: no promise, no scrypt.
    const exchange = new FakeExchange({ headers: ['Authorization', field] });
    const pending = directive.handle(exchange);
    assert.equal(pending, undefined);
    assert.equal(exchange.status, 200);
  });

  it('checks again once the cache entry expires', async () => {
    const { directive } = setup({ cacheMs: 0 });
    const field = basic('alice', 'wonder:land');
    await answer(directive, field);
    const pending = directive.handle(new FakeExchange({ headers: ['Authorization', field] }));
    assert.ok(pending instanceof Promise);
    await pending;
  });

  it('answers 503 when too many checks run at once', async () => {
    const { directive } = setup({ maxConcurrentChecks: 1 });
    const first = answer(directive, basic('alice', 'guess1'));
    const second = await answer(directive, basic('alice', 'guess2'));
    assert.equal(second.status, 503);
    assert.equal(second.header('retry-after'), '1');
    assert.equal((await first).status, 401);
  });

  it('shares one check between concurrent requests with the same credentials', async () => {
    const { directive } = setup({ maxConcurrentChecks: 1 });
    const field = basic('bob', 'builder');
    const results = await Promise.all([answer(directive, field), answer(directive, field)]);
    assert.deepEqual(
      results.map((e) => e.status),
      [200, 200],
    );
  });
});
