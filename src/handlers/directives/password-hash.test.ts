// Unit tests for scrypt password hashes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, parsePasswordHash, verifyPassword } from './password-hash.js';

const CHEAP = { n: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('round-trips: hash, parse, verify', async () => {
    const text = await hashPassword('correct horse', CHEAP);
    assert.match(text, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    const hash = parsePasswordHash(text);
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct horsE', hash), false);
    assert.equal(await verifyPassword(Buffer.from('correct horse'), hash), true);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('x', CHEAP), await hashPassword('x', CHEAP));
  });

  it('explains a malformed hash', () => {
    assert.throws(() => parsePasswordHash('hunter2'), /porta hash-password/);
    assert.throws(
      () => parsePasswordHash('scrypt$1000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA=='),
      /power of two/,
    );
    assert.throws(
      () => parsePasswordHash('scrypt$1024$0$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA=='),
      /r must be/,
    );
    assert.throws(() => parsePasswordHash('scrypt$1024$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA=='), /salt/);
    assert.throws(() => parsePasswordHash('scrypt$1024$8$1$AAAAAAAAAAA=$AAAA'), /16 to 64 bytes/);
    assert.throws(() => parsePasswordHash('scrypt$1024$8$1$AAAAAAAAAAA=$not*base64'), /base64/);
  });
});
