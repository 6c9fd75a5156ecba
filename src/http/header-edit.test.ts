// Unit tests for header list edits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editHeaderList, isFieldName } from './header-edit.js';

describe('editHeaderList', () => {
  const fields = [
    'Content-Type',
    'text/html',
    'X-Powered-By',
    'x',
    'x-powered-by',
    'y',
    'ETag',
    '"1"',
  ];

  it('returns the same list when there is nothing to do', () => {
    assert.equal(editHeaderList(fields, null, null), fields);
    assert.equal(editHeaderList(fields, [], []), fields);
  });

  it('drops named fields in any case and appends the added ones', () => {
    assert.deepEqual(editHeaderList(fields, ['x-powered-by'], ['X-Frame-Options', 'DENY']), [
      'Content-Type',
      'text/html',
      'ETag',
      '"1"',
      'X-Frame-Options',
      'DENY',
    ]);
    assert.deepEqual(editHeaderList(fields, null, ['A', '1']).slice(-2), ['A', '1']);
  });

  it('compares names ASCII case-insensitively', () => {
    assert.ok(isFieldName('X-Powered-By', 'x-powered-by'));
    assert.ok(!isFieldName('X-Powered-Bz', 'x-powered-by'));
    assert.ok(!isFieldName('X-Powered', 'x-powered-by'));
  });
});
