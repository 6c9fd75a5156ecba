// Unit tests for bind-failure messages, including the ones a root test machine cannot produce (EACCES).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseListenAddress } from './listen-address.js';
import { describeListenError } from './listener.js';

/** A Node-style system error with just a code, as listen() would emit it. */
function systemError(code: string): Error {
  return Object.assign(new Error(`listen ${code}`), { code, syscall: 'listen' });
}

describe('describeListenError', () => {
  it('EACCES on a privileged port explains setcap, root and high ports', () => {
    const message = describeListenError(systemError('EACCES'), parseListenAddress(':80'));
    assert.match(message, /binding port 80 needs privileges/);
    assert.match(message, /use a port >= 1024/);
    assert.match(message, /sudo setcap cap_net_bind_service=\+ep \$\(command -v node\)/);
    assert.match(message, /run as root/);
  });

  it('EACCES on a high port blames a security policy, not privileges', () => {
    const message = describeListenError(
      systemError('EACCES'),
      parseListenAddress('127.0.0.1:8080'),
    );
    assert.match(message, /permission denied binding 127\.0\.0\.1:8080/);
    assert.doesNotMatch(message, /setcap/);
  });

  it('EADDRINUSE names the address and suggests the next port and port 0', () => {
    const message = describeListenError(
      systemError('EADDRINUSE'),
      parseListenAddress('127.0.0.1:8080'),
    );
    assert.equal(
      message,
      '127.0.0.1:8080 is already in use by another program. Stop it, or pick another port, ' +
        'e.g. --port 8081 (or 0 for any free port)',
    );
    const wildcard = describeListenError(systemError('EADDRINUSE'), parseListenAddress('3000'));
    assert.match(wildcard, /^port 3000 is already in use/);
  });

  it('EADDRNOTAVAIL suggests 0.0.0.0 or 127.0.0.1', () => {
    const message = describeListenError(
      systemError('EADDRNOTAVAIL'),
      parseListenAddress('10.9.9.9:80'),
    );
    assert.equal(
      message,
      '10.9.9.9 is not an address of this machine; use 0.0.0.0 for all, or 127.0.0.1',
    );
  });

  it('host names that do not resolve', () => {
    const address = parseListenAddress('no-such-host.invalid:80');
    assert.match(
      describeListenError(systemError('ENOTFOUND'), address),
      /host name "no-such-host\.invalid" does not resolve/,
    );
    assert.match(describeListenError(systemError('EAI_AGAIN'), address), /DNS/);
  });

  it('falls back to the system message for anything else', () => {
    const message = describeListenError(new Error('boom'), parseListenAddress('[::1]:9'));
    assert.equal(message, 'cannot listen on [::1]:9: boom');
  });
});
