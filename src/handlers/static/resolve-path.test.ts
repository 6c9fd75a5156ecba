// Tests for request path resolution: every traversal spelling refused, nothing ever lands outside the root.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve, sep } from 'node:path';
import fc from 'fast-check';
import { encodePathSegments, hasHiddenSegment, resolveRequestPath } from './resolve-path.js';

function segments(raw: string): readonly string[] | null {
  return resolveRequestPath(raw)?.segments ?? null;
}

describe('resolveRequestPath', () => {
  it('splits and decodes ordinary paths', () => {
    assert.deepEqual(segments('/'), []);
    assert.deepEqual(segments('/index.html'), ['index.html']);
    assert.deepEqual(segments('/a/b%20c/d.txt'), ['a', 'b c', 'd.txt']);
    assert.deepEqual(segments('/caf%C3%A9'), ['café']);
    assert.deepEqual(segments('/%E2%82%AC'), ['€']);
    assert.deepEqual(segments('/a%2Bb'), ['a+b']);
  });

  it('drops empty and "." segments', () => {
    assert.deepEqual(segments('//a///b'), ['a', 'b']);
    assert.deepEqual(segments('/./a/./b/.'), ['a', 'b']);
    assert.deepEqual(segments('/%2e/a'), ['a']);
  });

  it('reports a trailing slash', () => {
    assert.equal(resolveRequestPath('/a/')?.trailingSlash, true);
    assert.equal(resolveRequestPath('/a/.')?.trailingSlash, true);
    assert.equal(resolveRequestPath('/')?.trailingSlash, true);
    assert.equal(resolveRequestPath('/a')?.trailingSlash, false);
  });

  it('decodes once: a double-encoded dot is a literal name', () => {
    assert.deepEqual(segments('/%252e%252e/x'), ['%2e%2e', 'x']);
  });

  it('refuses every traversal spelling', () => {
    for (const raw of [
      '/..',
      '/../etc/passwd',
      '/a/../../etc/passwd',
      '/a/..',
      '/%2e%2e/etc/passwd',
      '/%2E%2E/etc/passwd',
      '/.%2e/etc/passwd',
      '/%2e./etc/passwd',
      '/..%2fetc%2fpasswd',
      '/..%2Fetc',
      '/a%2f..%2f..%2fetc',
      '/..%5cetc%5cpasswd',
      '/..%5Cetc',
      '/..\\etc\\passwd',
      '/a\\b',
      '/%00',
      '/index.html%00.png',
      '/a\u0000b',
      '/%c0%ae%c0%ae/etc/passwd',
      '/%c0%2e%c0%2e/',
      '/%e0%80%ae%e0%80%ae/',
      '/%c1%9c',
      '/%ff',
      '/%ed%a0%80',
      '/%',
      '/%2',
      '/%zz',
      '/a%2',
      '/%0a',
      '/%7f',
      '/\u00e9',
      'relative',
      '',
      '*',
    ]) {
      assert.equal(resolveRequestPath(raw), null, JSON.stringify(raw));
    }
  });

  it('never resolves outside the root and never yields a dangerous segment (property)', () => {
    const root = resolve('/srv/www');
    const pieces = [
      '/',
      '.',
      '..',
      '%2e',
      '%2E',
      '%2f',
      '%2F',
      '%5c',
      '\\',
      '%00',
      '%c0%ae',
      '%c0%af',
      '%25',
      '%',
      'a',
      'é',
      '%e9',
      '%c3%a9',
      '~',
      ':',
    ];
    const arbitraryPath = fc
      .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 })), { maxLength: 16 })
      .map((parts) => '/' + parts.join(''));
    fc.assert(
      fc.property(arbitraryPath, (raw) => {
        const result = resolveRequestPath(raw);
        if (result === null) return;
        for (const segment of result.segments) {
          assert.notEqual(segment, '');
          assert.notEqual(segment, '.');
          assert.notEqual(segment, '..');
          assert.ok(!segment.includes('/') && !segment.includes('\\') && !segment.includes('\0'));
        }
        const full = resolve(root, ...result.segments);
        assert.ok(full === root || full.startsWith(root + sep), `${raw} -> ${full}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('never resolves outside the root for any string at all (property)', () => {
    const root = resolve('/srv/www');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (tail) => {
        const result = resolveRequestPath('/' + tail);
        if (result === null) return;
        const full = resolve(root, ...result.segments);
        assert.ok(full === root || full.startsWith(root + sep));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('hasHiddenSegment', () => {
  it('hides dot segments except a leading .well-known', () => {
    assert.equal(hasHiddenSegment(['.env']), true);
    assert.equal(hasHiddenSegment(['a', '.git', 'config']), true);
    assert.equal(hasHiddenSegment(['.well-known', 'security.txt']), false);
    assert.equal(hasHiddenSegment(['a', '.well-known']), true);
    assert.equal(hasHiddenSegment(['.well-known', '.x']), true);
    assert.equal(hasHiddenSegment(['a.b', 'c']), false);
  });
});

describe('encodePathSegments', () => {
  it('round-trips through resolveRequestPath', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 5 }),
        (parts) => {
          const safe = parts.filter((p) => p !== '.' && p !== '..' && !hasUnsafeChar(p));
          const back = resolveRequestPath(encodePathSegments(safe) + '/');
          assert.deepEqual(back?.segments, safe);
        },
      ),
    );
  });
});

/** Characters a segment can never hold: separators and controls. */
function hasUnsafeChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return true;
  }
  return false;
}
