// Unit tests for listen-address parsing, URL formatting and local address listing.
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isPortaError } from '../errors.js';
import {
  formatHostPort,
  formatUrl,
  localAddresses,
  parseListenAddress,
  reachableHosts,
} from './listen-address.js';

/** Asserts that parsing fails with PORTA_ADDRESS_INVALID and a message matching `pattern`. */
function assertInvalid(input: string, pattern: RegExp): void {
  assert.throws(
    () => parseListenAddress(input),
    (error: unknown) => {
      assert.ok(isPortaError(error), `expected a PortaError for ${JSON.stringify(input)}`);
      assert.equal(error.code, 'PORTA_ADDRESS_INVALID');
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseListenAddress', () => {
  const cases: Array<[string, string | undefined, number, string]> = [
    ['8080', undefined, 8080, '*:8080'],
    [':8080', undefined, 8080, '*:8080'],
    ['*:8080', undefined, 8080, '*:8080'],
    ['0', undefined, 0, '*:0'],
    ['0.0.0.0:8080', '0.0.0.0', 8080, '0.0.0.0:8080'],
    ['127.0.0.1:8080', '127.0.0.1', 8080, '127.0.0.1:8080'],
    ['[::]:8080', '::', 8080, '[::]:8080'],
    ['[::1]:8080', '::1', 8080, '[::1]:8080'],
    ['[fe80::1%eth0]:443', 'fe80::1%eth0', 443, '[fe80::1%eth0]:443'],
    ['localhost:8080', 'localhost', 8080, 'localhost:8080'],
    ['Example.COM:65535', 'example.com', 65535, 'example.com:65535'],
    ['  127.0.0.1:0  ', '127.0.0.1', 0, '127.0.0.1:0'],
  ];
  for (const [input, host, port, text] of cases) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseListenAddress(input), { host, port, text });
    });
  }

  it('rejects an empty address', () => {
    assertInvalid('', /empty/);
    assertInvalid('   ', /empty/);
  });

  it('rejects a port that is not a number', () => {
    assertInvalid('abc:http', /port "http" is not a number/);
    assertInvalid('127.0.0.1:-1', /port "-1" is not a number/);
    assertInvalid('127.0.0.1:80.5', /not a number/);
    assertInvalid('127.0.0.1: 80', /not a number/);
    assertInvalid('0x50', /has no port/);
  });

  it('rejects a port outside 0-65535', () => {
    assertInvalid('65536', /port 65536 is outside 0-65535/);
    assertInvalid('127.0.0.1:99999999999999999999', /outside 0-65535/);
  });

  it('rejects a missing port, suggesting one', () => {
    assertInvalid('localhost', /has no port.*did you mean localhost:8080/);
    assertInvalid('127.0.0.1:', /no port after ":"/);
    assertInvalid('[::1]', /no port: write \[::1\]:8080/);
  });

  it('rejects malformed IPv6 brackets', () => {
    assertInvalid('[::1:8080', /missing "\]"/);
    assertInvalid('[::1]8080', /expected ":port" after "\]"/);
    assertInvalid('[127.0.0.1]:80', /not an IPv6 address/);
    assertInvalid('[]:80', /not an IPv6 address/);
    assertInvalid('::1:8080', /IPv6 addresses need brackets/);
  });

  it('rejects bad hosts', () => {
    assertInvalid('256.1.1.1:80', /not a valid IPv4 address/);
    assertInvalid('bad_host:80', /not an IP address or host name/);
    assertInvalid('-lead.example:80', /not an IP address or host name/);
    assertInvalid('a..b:80', /not an IP address or host name/);
  });

  it('round-trips every integer port 0..65535, in every form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
        assert.equal(parseListenAddress(String(port)).port, port);
        assert.deepEqual(parseListenAddress(`127.0.0.1:${port}`), {
          host: '127.0.0.1',
          port,
          text: `127.0.0.1:${port}`,
        });
        const v6 = parseListenAddress(`[::1]:${port}`);
        assert.deepEqual(parseListenAddress(v6.text), v6);
      }),
    );
  });

  it('accepts all 65536 ports exhaustively', () => {
    for (let port = 0; port <= 65535; port++) {
      assert.equal(parseListenAddress(`:${port}`).port, port);
    }
  });

  it('rejects every integer outside 0..65535', () => {
    const outside = fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 65536 }));
    fc.assert(
      fc.property(outside, (port) => {
        assertInvalid(String(port), port < 0 ? /not a number/ : /outside 0-65535/);
        assertInvalid(`127.0.0.1:${port}`, port < 0 ? /not a number/ : /outside 0-65535/);
      }),
    );
  });

  it('rejects every port text that is not plain decimal digits', () => {
    const notDigits = fc.string({ minLength: 1 }).filter((s) => !/^\s*\d+\s*$/.test(s));
    fc.assert(
      fc.property(notDigits, (text) => {
        // As a port after a host: must never parse.
        assert.throws(() => parseListenAddress(`127.0.0.1:${text}`));
      }),
    );
  });

  it('never throws anything but PORTA_ADDRESS_INVALID', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        try {
          const parsed = parseListenAddress(input);
          assert.ok(parsed.port >= 0 && parsed.port <= 65535);
        } catch (error) {
          assert.ok(isPortaError(error) && error.code === 'PORTA_ADDRESS_INVALID');
        }
      }),
    );
  });
});

describe('formatUrl', () => {
  it('brackets IPv6 and leaves IPv4 and names alone', () => {
    assert.equal(formatUrl('http', '127.0.0.1', 8080), 'http://127.0.0.1:8080');
    assert.equal(formatUrl('http', '::1', 8080), 'http://[::1]:8080');
    assert.equal(formatUrl('https', 'example.com', 443), 'https://example.com:443');
    assert.equal(formatUrl('tcp', undefined, 7), 'tcp://localhost:7');
  });

  it('escapes an IPv6 zone id (RFC 6874) and unmaps IPv4-mapped addresses', () => {
    assert.equal(formatUrl('http', 'fe80::1%eth0', 80), 'http://[fe80::1%25eth0]:80');
    assert.equal(formatUrl('http', '::ffff:127.0.0.1', 80), 'http://127.0.0.1:80');
  });

  it('produces URLs the WHATWG parser reads back', () => {
    for (const host of ['127.0.0.1', '::1', '::', 'localhost']) {
      const url = new URL(formatUrl('http', host, 8080));
      assert.equal(url.port, '8080');
    }
  });
});

describe('formatHostPort', () => {
  it('formats peers for logs', () => {
    assert.equal(formatHostPort('127.0.0.1', 51234), '127.0.0.1:51234');
    assert.equal(formatHostPort('::1', 51234), '[::1]:51234');
    assert.equal(formatHostPort('::ffff:10.0.0.1', 1), '10.0.0.1:1');
  });
});

describe('localAddresses', () => {
  it('lists IP literals, loopback first, no link-local IPv6', () => {
    const list = localAddresses();
    assert.ok(list.length > 0, 'a machine has at least a loopback interface');
    assert.equal(list[0]?.internal, true);
    for (const entry of list) {
      assert.equal(isIP(entry.address), entry.family === 'IPv4' ? 4 : 6);
      assert.ok(!entry.address.toLowerCase().startsWith('fe80:'));
    }
  });

  it('expands wildcards to the addresses they serve', () => {
    const v4 = reachableHosts('0.0.0.0');
    assert.ok(v4.includes('127.0.0.1'));
    assert.ok(v4.every((a) => isIP(a) === 4));
    assert.deepEqual(reachableHosts('127.0.0.1'), ['127.0.0.1']);
    assert.ok(reachableHosts(undefined).length >= v4.length);
  });
});
