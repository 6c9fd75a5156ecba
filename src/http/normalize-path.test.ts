import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePath } from './normalize-path.js';

describe('normalizePath', () => {
  it('leaves plain paths alone', () => {
    assert.equal(normalizePath('/'), '/');
    assert.equal(normalizePath('/a/b.txt'), '/a/b.txt');
    assert.equal(normalizePath('/a%20b/'), '/a%20b/');
  });
  it('resolves dot segments in every spelling', () => {
    assert.equal(normalizePath('/a/../b'), '/b');
    assert.equal(normalizePath('/a/./b'), '/a/b');
    assert.equal(normalizePath('/a/%2e%2E/b'), '/b');
    assert.equal(normalizePath('/a/b/..'), '/a/');
    assert.equal(normalizePath('/a/.'), '/a/');
    assert.equal(normalizePath('/.well-known/x'), '/.well-known/x');
  });
  it('refuses to climb above the root', () => {
    assert.equal(normalizePath('/..'), null);
    assert.equal(normalizePath('/a/../../etc/passwd'), null);
    assert.equal(normalizePath('/%2e%2e/x'), null);
  });
});
