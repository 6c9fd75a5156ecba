// PROXY protocol v1/v2 headers: IPv4, IPv6, dual-stack mapped addresses, mixed families.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv6Bytes, proxyHeaderV1, proxyHeaderV2 } from './proxy-protocol.js';

const v4 = {
  sourceAddress: '192.0.2.1',
  sourcePort: 51000,
  destinationAddress: '198.51.100.2',
  destinationPort: 80,
};
const v6 = {
  sourceAddress: '2001:db8::1',
  sourcePort: 51000,
  destinationAddress: '::1',
  destinationPort: 443,
};

describe('PROXY protocol', () => {
  it('v1: TCP4, TCP6, mapped IPv4 shown plain, UNKNOWN for mixed families', () => {
    assert.equal(proxyHeaderV1(v4).toString(), 'PROXY TCP4 192.0.2.1 198.51.100.2 51000 80\r\n');
    assert.equal(proxyHeaderV1(v6).toString(), 'PROXY TCP6 2001:db8::1 ::1 51000 443\r\n');
    assert.equal(
      proxyHeaderV1({
        ...v4,
        sourceAddress: '::ffff:192.0.2.1',
        destinationAddress: '::ffff:10.0.0.1',
      }).toString(),
      'PROXY TCP4 192.0.2.1 10.0.0.1 51000 80\r\n',
    );
    assert.equal(
      proxyHeaderV1({ ...v4, destinationAddress: '::1' }).toString(),
      'PROXY UNKNOWN\r\n',
    );
  });

  it('v2: signature, command, family, length, addresses, ports', () => {
    const header = proxyHeaderV2(v6);
    assert.equal(header.length, 16 + 36);
    assert.equal(header[12], 0x21);
    assert.equal(header[13], 0x21); // AF_INET6, STREAM
    assert.equal(header.readUInt16BE(14), 36);
    assert.deepEqual(header.subarray(16, 32), ipv6Bytes('2001:db8::1'));
    assert.equal(header.readUInt16BE(48), 51000);
    assert.equal(header.readUInt16BE(50), 443);
    const unspec = proxyHeaderV2({ ...v4, destinationAddress: '::1' });
    assert.deepEqual([...unspec.subarray(12)], [0x21, 0x00, 0x00, 0x00]);
  });

  it('IPv6 text to bytes: ::, embedded IPv4, zones', () => {
    assert.equal(ipv6Bytes('::1').toString('hex'), '00000000000000000000000000000001');
    assert.equal(
      ipv6Bytes('2001:db8::ff00:42:8329').toString('hex'),
      '20010db8000000000000ff0000428329',
    );
    assert.equal(ipv6Bytes('::ffff:192.0.2.1').toString('hex'), '00000000000000000000ffffc0000201');
    assert.equal(ipv6Bytes('fe80::1%eth0').toString('hex'), 'fe800000000000000000000000000001');
  });
});
