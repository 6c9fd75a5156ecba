// Tests for Range parsing (RFC 9110 §14): forms, clamping, coalescing, caps and 416 cases.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  coalesce,
  formatContentRange,
  formatUnsatisfiedRange,
  parseRange,
  RangeResultKind,
  type RangeResult,
} from './range.js';

function ranges(result: RangeResult): [number, number][] {
  if (result.kind !== RangeResultKind.Ranges)
    assert.fail(`expected ranges, got kind ${result.kind}`);
  return result.ranges.map((r) => [r.start, r.end]);
}

describe('parseRange', () => {
  it('parses a closed range', () => {
    assert.deepEqual(ranges(parseRange('bytes=0-99', 1000, 16)), [[0, 99]]);
    assert.deepEqual(ranges(parseRange('bytes=0-1', 1000, 16)), [[0, 1]]);
  });

  it('parses open-ended and suffix ranges', () => {
    assert.deepEqual(ranges(parseRange('bytes=900-', 1000, 16)), [[900, 999]]);
    assert.deepEqual(ranges(parseRange('bytes=-500', 1000, 16)), [[500, 999]]);
    assert.deepEqual(ranges(parseRange('bytes=0-', 1000, 16)), [[0, 999]]);
  });

  it('clamps a last-pos and a suffix beyond the length (RFC 9110 §14.1.2)', () => {
    assert.deepEqual(ranges(parseRange('bytes=10-5000', 1000, 16)), [[10, 999]]);
    assert.deepEqual(ranges(parseRange('bytes=-5000', 1000, 16)), [[0, 999]]);
  });

  it('accepts a case-insensitive unit and whitespace around list elements', () => {
    assert.deepEqual(ranges(parseRange('Bytes=0-0 , 5-9', 10, 16)), [
      [0, 0],
      [5, 9],
    ]);
    assert.deepEqual(ranges(parseRange('bytes=0-0,,\t2-3', 10, 16)), [
      [0, 0],
      [2, 3],
    ]);
  });

  it('returns several ranges sorted, merging overlapping and adjacent ones', () => {
    assert.deepEqual(ranges(parseRange('bytes=500-599,0-99', 1000, 16)), [
      [0, 99],
      [500, 599],
    ]);
    assert.deepEqual(ranges(parseRange('bytes=0-99,50-150,151-200', 1000, 16)), [[0, 200]]);
    assert.deepEqual(ranges(parseRange('bytes=0-10,0-10,0-10', 1000, 16)), [[0, 10]]);
    assert.deepEqual(ranges(parseRange('bytes=-100,0-', 1000, 16)), [[0, 999]]);
  });

  it('ignores invalid syntax and other units (§14.2: MAY ignore)', () => {
    for (const value of [
      'bytes=',
      'bytes=-',
      'bytes=abc',
      'bytes=5-1',
      'bytes=1-2-3',
      'bytes=1-2;3',
      'bytes 0-1',
      'bytes=0-1x',
      'items=0-1',
      'bytes=0x10-20',
      'bytes=1e3-',
      'bytes=' + '9'.repeat(20) + '-',
      '',
    ]) {
      assert.equal(parseRange(value, 1000, 16).kind, RangeResultKind.Ignore, value);
    }
  });

  it('is unsatisfiable when no range starts inside the representation (416)', () => {
    assert.equal(parseRange('bytes=1000-', 1000, 16).kind, RangeResultKind.Unsatisfiable);
    assert.equal(parseRange('bytes=1000-2000', 1000, 16).kind, RangeResultKind.Unsatisfiable);
    assert.equal(parseRange('bytes=-0', 1000, 16).kind, RangeResultKind.Unsatisfiable);
    assert.equal(parseRange('bytes=2000-,3000-', 1000, 16).kind, RangeResultKind.Unsatisfiable);
  });

  it('drops unsatisfiable members of a set and keeps the rest', () => {
    assert.deepEqual(ranges(parseRange('bytes=2000-3000,0-0', 1000, 16)), [[0, 0]]);
  });

  it('ignores Range on an empty representation', () => {
    assert.equal(parseRange('bytes=0-1', 0, 16).kind, RangeResultKind.Ignore);
  });

  it('ignores a set with more range-specs than the cap', () => {
    const many = 'bytes=' + Array.from({ length: 17 }, (_, i) => `${i}-${i}`).join(',');
    assert.equal(parseRange(many, 1000, 16).kind, RangeResultKind.Ignore);
    const enough = 'bytes=' + Array.from({ length: 16 }, (_, i) => `${i * 2}-${i * 2}`).join(',');
    assert.equal(ranges(parseRange(enough, 1000, 16)).length, 16);
  });

  it('formats Content-Range values (§14.4)', () => {
    assert.equal(formatContentRange({ start: 0, end: 99 }, 1000), 'bytes 0-99/1000');
    assert.equal(formatUnsatisfiedRange(1000), 'bytes */1000');
  });

  it('never yields ranges outside the representation or overlapping (property)', () => {
    const spec = fc.oneof(
      fc.tuple(fc.nat(3000), fc.nat(3000)).map(([a, b]) => `${a}-${b}`),
      fc.nat(3000).map((a) => `${a}-`),
      fc.nat(3000).map((a) => `-${a}`),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 20 }), fc.nat(2000), (specs, length) => {
        const result = parseRange('bytes=' + specs.join(','), length, 16);
        if (result.kind !== RangeResultKind.Ranges) return;
        let previousEnd = -2;
        let total = 0;
        for (const r of result.ranges) {
          assert.ok(r.start >= 0 && r.start <= r.end && r.end < length);
          assert.ok(r.start > previousEnd + 1, 'sorted, disjoint, not adjacent');
          previousEnd = r.end;
          total += r.end - r.start + 1;
        }
        assert.ok(total <= length);
      }),
    );
  });
});

describe('coalesce', () => {
  it('keeps separate ranges apart', () => {
    assert.deepEqual(
      coalesce([
        { start: 10, end: 20 },
        { start: 0, end: 5 },
      ]),
      [
        { start: 0, end: 5 },
        { start: 10, end: 20 },
      ],
    );
  });
});
