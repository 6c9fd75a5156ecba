// Tests for conditional requests: the RFC 9110 §13.2.2 precedence, entity-tag comparison, HTTP-dates.
import { describe, it } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import {
  evaluateIfRange,
  evaluatePreconditions,
  formatHttpDate,
  matchesEtagList,
  parseHttpDate,
  Precondition,
  type ConditionalFields,
  type Validators,
} from './conditional.js';

const LAST_MODIFIED_MS = Date.UTC(2024, 0, 2, 3, 4, 5);
const validators: Validators = {
  etag: '"abc"',
  lastModified: formatHttpDate(LAST_MODIFIED_MS),
  lastModifiedSeconds: LAST_MODIFIED_MS / 1000,
};
const BEFORE = formatHttpDate(LAST_MODIFIED_MS - 10_000);
const AFTER = formatHttpDate(LAST_MODIFIED_MS + 10_000);

function fields(partial: Partial<ConditionalFields>): ConditionalFields {
  return {
    ifMatch: undefined,
    ifNoneMatch: undefined,
    ifModifiedSince: undefined,
    ifUnmodifiedSince: undefined,
    ...partial,
  };
}

function check(partial: Partial<ConditionalFields>, safe = true): Precondition {
  return evaluatePreconditions(fields(partial), validators, safe);
}

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  it('proceeds without preconditions', () => {
    assert.equal(check({}), Precondition.Proceed);
  });

  it('If-Match: 412 unless a strong match or *', () => {
    assert.equal(check({ ifMatch: '"abc"' }), Precondition.Proceed);
    assert.equal(check({ ifMatch: '"x", "abc"' }), Precondition.Proceed);
    assert.equal(check({ ifMatch: '*' }), Precondition.Proceed);
    assert.equal(check({ ifMatch: '"x"' }), Precondition.Failed);
    assert.equal(check({ ifMatch: 'W/"abc"' }), Precondition.Failed, 'weak never matches strongly');
  });

  it('If-Unmodified-Since: 412 when modified after; ignored with If-Match or a bad date', () => {
    assert.equal(check({ ifUnmodifiedSince: AFTER }), Precondition.Proceed);
    assert.equal(check({ ifUnmodifiedSince: validators.lastModified }), Precondition.Proceed);
    assert.equal(check({ ifUnmodifiedSince: BEFORE }), Precondition.Failed);
    assert.equal(check({ ifMatch: '"abc"', ifUnmodifiedSince: BEFORE }), Precondition.Proceed);
    assert.equal(check({ ifUnmodifiedSince: 'yesterday' }), Precondition.Proceed);
  });

  it('If-None-Match: 304 on a weak match for GET/HEAD, 412 for other methods', () => {
    assert.equal(check({ ifNoneMatch: '"abc"' }), Precondition.NotModified);
    assert.equal(check({ ifNoneMatch: 'W/"abc"' }), Precondition.NotModified);
    assert.equal(check({ ifNoneMatch: '"x", W/"abc"' }), Precondition.NotModified);
    assert.equal(check({ ifNoneMatch: '*' }), Precondition.NotModified);
    assert.equal(check({ ifNoneMatch: '"x"' }), Precondition.Proceed);
    assert.equal(check({ ifNoneMatch: '"abc"' }, false), Precondition.Failed);
  });

  it('If-Modified-Since: 304 when not modified since; ignored when If-None-Match is present', () => {
    assert.equal(check({ ifModifiedSince: validators.lastModified }), Precondition.NotModified);
    assert.equal(check({ ifModifiedSince: AFTER }), Precondition.NotModified);
    assert.equal(check({ ifModifiedSince: BEFORE }), Precondition.Proceed);
    assert.equal(check({ ifModifiedSince: 'garbage' }), Precondition.Proceed);
    assert.equal(check({ ifNoneMatch: '"x"', ifModifiedSince: AFTER }), Precondition.Proceed);
    assert.equal(check({ ifModifiedSince: AFTER }, false), Precondition.Proceed);
  });

  it('If-Match failing wins over If-None-Match matching (step 1 before step 3)', () => {
    assert.equal(check({ ifMatch: '"x"', ifNoneMatch: '"abc"' }), Precondition.Failed);
  });

  it('a resource without validators never matches a tag', () => {
    const none: Validators = { etag: '', lastModified: '', lastModifiedSeconds: Number.NaN };
    assert.equal(
      evaluatePreconditions(fields({ ifNoneMatch: '"abc"' }), none, true),
      Precondition.Proceed,
    );
    assert.equal(
      evaluatePreconditions(fields({ ifModifiedSince: AFTER }), none, true),
      Precondition.Proceed,
    );
  });
});

describe('evaluateIfRange (RFC 9110 §13.1.5)', () => {
  it('honours the Range on a strong tag match or the exact date', () => {
    assert.equal(evaluateIfRange('"abc"', validators), true);
    assert.equal(evaluateIfRange(validators.lastModified, validators), true);
  });

  it('refuses weak tags, other tags, other dates and garbage', () => {
    assert.equal(evaluateIfRange('W/"abc"', validators), false);
    assert.equal(evaluateIfRange('"x"', validators), false);
    assert.equal(evaluateIfRange(AFTER, validators), false);
    assert.equal(evaluateIfRange('soon', validators), false);
  });
});

describe('matchesEtagList', () => {
  it('parses lists with whitespace and weak tags', () => {
    assert.equal(matchesEtagList(' "a" ,W/"abc" ', '"abc"', false), true);
    assert.equal(matchesEtagList(' "a" ,W/"abc" ', '"abc"', true), false);
    assert.equal(matchesEtagList('"ab"', '"abc"', false), false);
    assert.equal(matchesEtagList('"abc', '"abc"', false), false);
    assert.equal(matchesEtagList('abc', '"abc"', false), false);
    assert.equal(matchesEtagList('"abc"', 'W/"abc"', false), true);
    assert.equal(matchesEtagList('"abc"', 'W/"abc"', true), false);
  });
});

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  const seconds = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;
  it('reads the three formats', () => {
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), seconds);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), seconds);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), seconds);
  });

  it('rejects anything else', () => {
    for (const value of [
      '',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 08-49-37 GMT',
      'Sun, 06 Nov 1994 25:49:37 GMT',
      '1994-11-06T08:49:37Z',
    ]) {
      assert.ok(Number.isNaN(parseHttpDate(value)), value);
    }
  });

  it('round-trips formatHttpDate', () => {
    const ms = Date.UTC(2030, 5, 7, 1, 2, 3);
    assert.equal(parseHttpDate(formatHttpDate(ms)), ms / 1000);
  });
});

describe('formatHttpDate', () => {
  it('writes what toUTCString() writes, for any time of years 0 to 9999 and beyond', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        assert.equal(formatHttpDate(ms), new Date(ms).toUTCString());
      }),
      { numRuns: 5000 },
    );
    for (const ms of [0, -1, 951_782_400_000, 253_402_300_800_000, -62_167_219_200_001, NaN]) {
      assert.equal(formatHttpDate(ms), new Date(ms).toUTCString(), String(ms));
    }
  });
});
