// docker -p spellings: every accepted form, ranges, protocols, and the messages for bad ones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PortMapping, parsePortMapping } from './port-mapping.js';

const one = (text: string): PortMapping => {
  const [first, ...rest] = parsePortMapping(text);
  assert.equal(rest.length, 0);
  assert.ok(first !== undefined);
  return first;
};

describe('parsePortMapping', () => {
  it('LISTEN:TARGET_PORT forwards to the default host', () => {
    assert.deepEqual(one('8080:80'), {
      bindHost: undefined,
      listenPort: 8080,
      targetHost: '127.0.0.1',
      targetPort: 80,
      protocol: 'tcp',
    });
  });

  it('LISTEN:HOST:PORT and BIND:LISTEN:PORT are told apart by which part is a port', () => {
    assert.deepEqual(one('8080:127.0.0.1:80'), {
      bindHost: undefined,
      listenPort: 8080,
      targetHost: '127.0.0.1',
      targetPort: 80,
      protocol: 'tcp',
    });
    assert.deepEqual(one('127.0.0.1:8080:80'), {
      bindHost: '127.0.0.1',
      listenPort: 8080,
      targetHost: '127.0.0.1',
      targetPort: 80,
      protocol: 'tcp',
    });
    assert.equal(one('8080:app:3000').targetHost, 'app');
  });

  it('four parts, IPv6 in brackets, /udp', () => {
    assert.deepEqual(one('[::1]:5353:[fd00::2]:53/udp'), {
      bindHost: '::1',
      listenPort: 5353,
      targetHost: 'fd00::2',
      targetPort: 53,
      protocol: 'udp',
    });
    assert.equal(one('0.0.0.0:8080:db.internal:5432/tcp').bindHost, '0.0.0.0');
  });

  it('ranges expand pairwise, or onto one target port', () => {
    const pairs = parsePortMapping('8000-8002:9000-9002');
    assert.deepEqual(
      pairs.map((p) => [p.listenPort, p.targetPort]),
      [
        [8000, 9000],
        [8001, 9001],
        [8002, 9002],
      ],
    );
    assert.deepEqual(
      parsePortMapping('8000-8001:80').map((p) => p.targetPort),
      [80, 80],
    );
  });

  it('rejects bad spellings with a message that says why', () => {
    assert.throws(() => parsePortMapping('8080'), /expected LISTEN:TARGET_PORT/);
    assert.throws(() => parsePortMapping('8080:80/sctp'), /unknown protocol "\/sctp"/);
    assert.throws(() => parsePortMapping('8080:70000'), /not a port/);
    assert.throws(() => parsePortMapping('8000-8002:9000-9001'), /same length/);
    assert.throws(() => parsePortMapping('host:8080:80:90:1'), /expected/);
    assert.throws(() => parsePortMapping('8080:bad_host!:80'), /not a target host/);
    assert.throws(() => parsePortMapping('example.com:8080:x:80'), /not an IP address to bind/);
  });
});
