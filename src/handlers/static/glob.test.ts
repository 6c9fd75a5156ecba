// Tests for the path glob compiler.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob } from './glob.js';

function matches(pattern: string, path: string): boolean {
  return compileGlob(pattern).test(path);
}

describe('compileGlob', () => {
  it('matches * within a segment and ** across segments', () => {
    assert.equal(matches('*.js', 'app.js'), true);
    assert.equal(matches('*.js', 'a/app.js'), false);
    assert.equal(matches('**/*.js', 'a/b/app.js'), true);
    assert.equal(matches('**/*.js', 'app.js'), true);
    assert.equal(matches('assets/**', 'assets/x/y.png'), true);
    assert.equal(matches('/assets/**', 'assets/y.png'), true);
    assert.equal(matches('assets/**', 'other/y.png'), false);
  });

  it('supports ?, classes and alternatives', () => {
    assert.equal(matches('app.????.js', 'app.1a2b.js'), true);
    assert.equal(
      matches('**/*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.{js,css}', 'x/app.3f9a12.css'),
      true,
    );
    assert.equal(
      matches('**/*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f]*.{js,css}', 'x/app.main.css'),
      false,
    );
    assert.equal(matches('[!a]*', 'b'), true);
    assert.equal(matches('[!a]*', 'a'), false);
  });

  it('escapes regex characters', () => {
    assert.equal(matches('a+b(1).js', 'a+b(1).js'), true);
    assert.equal(matches('a.js', 'abjs'), false);
    assert.equal(matches('a$^|.js', 'a$^|.js'), true);
  });

  it('refuses an unclosed brace', () => {
    assert.throws(() => compileGlob('{a,b'));
  });
});
