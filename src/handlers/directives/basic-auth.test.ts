// Unit tests for the basic_auth directive.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Handler } from '../../http/exchange.js';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { createLocalSharedState } from '../../shared/shared-state.js';
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

  function setup(
    options: { maxConcurrentChecks?: number; cacheMs?: number; maxFailures?: number } = {},
  ) {
    const next = new OkHandler();
    const warnings: string[] = [];
    const directive = createBasicAuth(
      {
        realm: 'Staff "only"',
        users: [
          { user: 'alice', hash: alice },
          { user: 'bob', hash: bob },
        ],
        maxFailures: 10,
        lockoutMs: 60_000,
        ...options,
      },
      next,
      {
        shared: createLocalSharedState({ warn: () => undefined }),
        routeId: 'site 0 route 0 (/)',
        logger: { warning: (message: string) => warnings.push(message) },
      },
    );
    return { next, directive, warnings };
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

  it('queues checks beyond the concurrency cap instead of refusing them', async () => {
    const { directive } = setup({ maxConcurrentChecks: 1 });
    const results = await Promise.all([
      answer(directive, basic('alice', 'guess1')),
      answer(directive, basic('alice', 'guess2')),
      answer(directive, basic('bob', 'builder')),
    ]);
    assert.deepEqual(
      results.map((e) => e.status),
      [401, 401, 200],
    );
  });

  it('logs each failure with user, address and route; refuses that client after max_failures', async () => {
    const { directive, warnings } = setup({ maxFailures: 3 });
    const from = (address: string, authorization: string): Promise<FakeExchange> =>
      (async () => {
        const exchange = new FakeExchange({
          remoteAddress: address,
          headers: ['Host', 'h', 'Authorization', authorization],
        });
        await directive.handle(exchange);
        return exchange;
      })();
    for (const guess of ['a', 'b', 'c']) {
      assert.equal((await from('192.0.2.9', basic('alice', guess))).status, 401);
    }
    const refused = await from('192.0.2.9', basic('alice', 'wonder:land'));
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.header('retry-after')) > 50);
    assert.equal(refused.remoteUser, 'alice');
    // Another client is not affected.
    assert.equal((await from('192.0.2.10', basic('alice', 'wonder:land'))).status, 200);
    assert.equal((await from('192.0.2.10', basic('nobody', 'x'))).status, 401);
    assert.deepEqual(warnings.slice(0, 4), [
      'Failed login for user "alice" from 192.0.2.9 on route /: wrong password',
      'Failed login for user "alice" from 192.0.2.9 on route /: wrong password',
      'Failed login for user "alice" from 192.0.2.9 on route /: wrong password',
      'Client 192.0.2.9 refused for 60 s after 3 failed login(s)',
    ]);
    assert.equal(
      warnings[4],
      'Failed login for user "nobody" from 192.0.2.10 on route /: unknown user',
    );
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
