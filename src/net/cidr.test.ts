// Unit tests for IP address and CIDR parsing and matching.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isInBlock, parseCidr, parseIpAddress } from './cidr.js';

function words(text: string): number[] {
  const out = new Uint32Array(4);
  assert.ok(parseIpAddress(text, out), `parses ${text}`);
  return [...out];
}

function contains(cidr: string, address: string): boolean {
  const out = new Uint32Array(4);
  assert.ok(parseIpAddress(address, out));
  return isInBlock(out, parseCidr(cidr));
}

describe('parseIpAddress', () => {
  it('reads IPv4 as an IPv4-mapped IPv6 address', () => {
    assert.deepEqual(words('192.0.2.7'), [0, 0, 0xffff, 0xc0000207]);
    assert.deepEqual(words('::ffff:192.0.2.7'), [0, 0, 0xffff, 0xc0000207]);
    assert.deepEqual(words('::FFFF:c000:0207'), [0, 0, 0xffff, 0xc0000207]);
  });

  it('reads the IPv6 text forms of RFC 4291 §2.2', () => {
    assert.deepEqual(words('::'), [0, 0, 0, 0]);
    assert.deepEqual(words('::1'), [0, 0, 0, 1]);
    assert.deepEqual(words('2001:db8::'), [0x20010db8, 0, 0, 0]);
    assert.deepEqual(words('2001:db8:0:0:1:0:0:1'), [0x20010db8, 0, 0x10000, 1]);
    assert.deepEqual(words('2001:db8::1:0:0:1'), [0x20010db8, 0, 0x10000, 1]);
    assert.deepEqual(words('fe80::1%eth0'), [0xfe800000, 0, 0, 1]);
    assert.deepEqual(words('1:2:3:4:5:6:7::'), [0x10002, 0x30004, 0x50006, 0x70000]);
  });

  it('refuses what is not an address', () => {
    const out = new Uint32Array(4);
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.4 ',
      ':',
      ':1',
      '1:',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      'g::',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      'localhost',
    ]) {
      assert.equal(parseIpAddress(bad, out), false, bad);
    }
  });

  it('agrees with a plain reference for any IPv6 address written in full', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        (groups) => {
          const text = groups.map((g) => g.toString(16)).join(':');
          const expected = [0, 1, 2, 3].map(
            (w) => (groups[2 * w] as number) * 65536 + (groups[2 * w + 1] as number),
          );
          assert.deepEqual(words(text), expected);
        },
      ),
    );
  });
});

describe('parseCidr', () => {
  it('matches IPv4 blocks, for IPv4 and IPv4-mapped peers alike', () => {
    assert.ok(contains('10.0.0.0/8', '10.1.2.3'));
    assert.ok(contains('10.0.0.0/8', '::ffff:10.1.2.3'));
    assert.ok(!contains('10.0.0.0/8', '11.0.0.0'));
    assert.ok(contains('192.0.2.7', '192.0.2.7'));
    assert.ok(!contains('192.0.2.7', '192.0.2.8'));
    assert.ok(contains('0.0.0.0/0', '203.0.113.9'));
    assert.ok(!contains('0.0.0.0/0', '::1'));
  });

  it('matches IPv6 blocks', () => {
    assert.ok(contains('2001:db8::/32', '2001:db8:ffff::1'));
    assert.ok(!contains('2001:db8::/32', '2001:db9::1'));
    assert.ok(contains('::1', '::1'));
    assert.ok(contains('2001:db8::/33', '2001:db8:7fff::'));
    assert.ok(!contains('2001:db8::/33', '2001:db8:8000::'));
    assert.ok(contains('::/0', '1.2.3.4'));
    assert.ok(contains('all', 'ffff::1'));
  });

  it('explains what is wrong', () => {
    assert.throws(() => parseCidr('10.0.0.0/33'), /prefix length 0-32/);
    assert.throws(() => parseCidr('10.0.0/8'), /expected an IPv4 or IPv6 address or CIDR/);
    assert.throws(() => parseCidr('10.0.0.1/8'), /expected the block's own address 10\.0\.0\.0\/8/);
    assert.throws(() => parseCidr('2001:db8::1/32'), /own address 2001:db8:0:0:0:0:0:0\/32/);
    assert.throws(() => parseCidr('fe80::1%eth0/64'), /expected an IPv4 or IPv6/);
  });
});
