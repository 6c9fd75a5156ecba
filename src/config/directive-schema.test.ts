// Unit tests for the directive keys of the config: validation messages and site/route merging.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword } from '../handlers/directives/password-hash.js';
import { directiveOptions, mergeHeaderEdits } from './build-directives.js';
import { validateConfig } from './validate.js';

function site(extra: Record<string, unknown>, route: Record<string, unknown> = {}) {
  return {
    sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: '/', echo: {}, ...route }], ...extra }],
  };
}

function errorOf(input: unknown): string {
  try {
    validateConfig(input);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('directive config', () => {
  it('accepts every directive on a route and on a site', async () => {
    const hash = await hashPassword('pw', { n: 1024, r: 8, p: 1 });
    const directives = {
      request_headers: { set: { 'X-A': '1' }, add: { 'X-B': ['1', '2'] }, remove: ['Cookie'] },
      response_headers: { set: { 'X-Frame-Options': 'DENY' }, remove: ['X-Powered-By'] },
      basic_auth: { realm: 'staff', users: [{ user: 'alice', password_hash: hash }] },
      allow: ['10.0.0.0/8', '::1'],
      deny: ['10.0.0.5'],
      rate_limit: { rate: '10r/s', burst: 20 },
      cors: { origins: ['https://app.example'], credentials: true, max_age: '10m' },
      max_body_size: '1k',
    };
    const config = validateConfig(site(directives, directives));
    const siteConfig = config.sites[0];
    assert.ok(siteConfig !== undefined);
    assert.equal(siteConfig.routes[0]?.max_body_size, '1k');
    assert.ok(siteConfig.rate_limit !== false);
    assert.equal(siteConfig.rate_limit?.max_clients, 100_000);
  });

  it('says what is wrong, with the key path', () => {
    const message = errorOf(
      site(
        {
          allow: ['10.0.0.1/8'],
          cors: { origins: ['*'], credentials: true },
          response_headers: { add: { 'Bad Name': 'x' } },
        },
        {
          deny: ['300.0.0.0/8'],
          basic_auth: { users: [{ user: 'a', password_hash: 'plain' }] },
          rate_limit: { rate: 'fast' },
          response_headers: { set: { 'Content-Length': '1' } },
          request_headers: { remove: ['Transfer-Encoding'] },
          max_body_size: 'huge',
        },
      ),
    );
    for (const expected of [
      /sites\[0\]\.allow\[0\]: expected the block's own address 10\.0\.0\.0\/8 \(no bits set after the \/8 prefix\), got "10\.0\.0\.1\/8"\n/,
      /sites\[0\]\.cors\.origins: credentials need a list of origins/,
      /sites\[0\]\.routes\[0\]\.deny\[0\]: expected an IPv4 or IPv6 address or CIDR/,
      /routes\[0\]\.basic_auth\.users\[0\]\.password_hash: expected a hash like scrypt\$N\$r\$p\$salt\$hash .*, got something else \(make one with `porta hash-password`\)\n/,
      /routes\[0\]\.rate_limit\.rate: expected a rate like "10r\/s"/,
      /routes\[0\]\.response_headers\.set\.Content-Length: "Content-Length" is written by the engine/,
      /sites\[0\]\.response_headers\.add\["Bad Name"\]: key "Bad Name": expected a header field name/,
      /routes\[0\]\.request_headers\.remove\[0\]: "Transfer-Encoding" frames the request body/,
      /routes\[0\]\.max_body_size: expected a size/,
    ]) {
      assert.match(message, expected);
    }
  });

  it('lets a route replace or turn off a site directive', () => {
    const config = validateConfig(
      site(
        { rate_limit: { rate: '1r/s' }, allow: ['10.0.0.0/8'], max_body_size: '1k' },
        { rate_limit: false, allow: [], max_body_size: 0 },
      ),
    );
    const siteConfig = config.sites[0];
    assert.ok(siteConfig !== undefined);
    const route = siteConfig.routes[0];
    assert.ok(route !== undefined);
    const options = directiveOptions(siteConfig, route);
    assert.equal(options.rateLimit, undefined);
    assert.equal(options.ipFilter?.allow.length, 0);
    assert.equal(options.maxBodySize, 0);
    const inherited = directiveOptions(siteConfig, {
      ...route,
      rate_limit: undefined,
      allow: undefined,
      max_body_size: undefined,
    });
    assert.deepEqual(inherited.rateLimit, { perSecond: 1, burst: 1, maxClients: 100_000 });
    assert.equal(inherited.ipFilter?.allow.length, 1);
    assert.equal(inherited.maxBodySize, 1024);
  });

  it('merges header edits, site first, without duplicates', () => {
    const merged = mergeHeaderEdits(
      {
        set: { 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-cache' },
        add: { Link: '</a>' },
        remove: ['Server-Timing'],
      },
      {
        set: { 'cache-control': 'max-age=60' },
        add: { Link: '</b>' },
        remove: ['x-frame-options'],
      },
    );
    assert.deepEqual(merged, {
      set: ['cache-control', 'max-age=60'],
      add: ['Link', '</a>', 'Link', '</b>'],
      remove: ['server-timing', 'x-frame-options'],
    });
  });
});
