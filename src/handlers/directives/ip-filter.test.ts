// Unit tests for the allow/deny directive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCidr } from '../../net/cidr.js';
import { FakeExchange, OkHandler } from '../../../test/support/fake-exchange.js';
import { createIpFilter } from './ip-filter.js';

function statusFor(allow: string[], deny: string[], address: string): number {
  const filter = createIpFilter(
    { allow: allow.map(parseCidr), deny: deny.map(parseCidr) },
    new OkHandler(),
  );
  const exchange = new FakeExchange({ remoteAddress: address });
  void filter.handle(exchange);
  return exchange.status;
}

describe('ip filter', () => {
  it('denies listed blocks and lets the rest through', () => {
    assert.equal(statusFor([], ['203.0.113.0/24'], '203.0.113.9'), 403);
    assert.equal(statusFor([], ['203.0.113.0/24'], '198.51.100.1'), 200);
  });

  it('with an allow list, denies everyone else', () => {
    assert.equal(statusFor(['10.0.0.0/8', '::1'], [], '10.9.8.7'), 200);
    assert.equal(statusFor(['10.0.0.0/8', '::1'], [], '::1'), 200);
    assert.equal(statusFor(['10.0.0.0/8', '::1'], [], '192.168.1.1'), 403);
  });

  it('handles IPv4-mapped IPv6 peers (a dual-stack socket)', () => {
    assert.equal(statusFor(['127.0.0.0/8'], [], '::ffff:127.0.0.1'), 200);
    assert.equal(statusFor([], ['127.0.0.1'], '::ffff:127.0.0.1'), 403);
  });

  it('lets the most specific block decide, deny winning a tie', () => {
    assert.equal(statusFor(['10.0.0.0/8'], ['10.0.0.5'], '10.0.0.5'), 403);
    assert.equal(statusFor(['10.0.0.0/8'], ['10.0.0.5'], '10.0.0.6'), 200);
    assert.equal(statusFor(['10.1.2.3'], ['10.0.0.0/8'], '10.1.2.3'), 200);
    assert.equal(statusFor(['10.1.2.3'], ['10.0.0.0/8'], '10.1.2.4'), 403);
    assert.equal(statusFor(['10.0.0.0/8'], ['10.0.0.0/8'], '10.0.0.1'), 403);
    assert.equal(statusFor(['2001:db8::/32'], ['all'], '2001:db8::1'), 200);
    assert.equal(statusFor(['2001:db8::/32'], ['all'], '127.0.0.1'), 403);
  });

  it('denies a peer address it cannot read', () => {
    assert.equal(statusFor([], ['10.0.0.0/8'], ''), 403);
  });
});
