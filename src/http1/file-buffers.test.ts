import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  BIG_CHUNK,
  SMALL_CHUNK,
  bigFileSlotsInUse,
  giveFileSlot,
  takeFileSlot,
} from './file-buffers.js';

describe('file slots', () => {
  it('gives large transfers a big slot with a page to spare, small ones a small buffer', () => {
    const big = takeFileSlot(SMALL_CHUNK + 1);
    const small = takeFileSlot(SMALL_CHUNK);
    assert.equal(big.big, true);
    assert.equal(big.size, BIG_CHUNK);
    assert.ok(big.buffer.length >= big.base + big.size + 4096);
    assert.equal(small.big, false);
    assert.equal(small.size, SMALL_CHUNK);
    assert.equal(bigFileSlotsInUse(), 1);
    giveFileSlot(big);
    giveFileSlot(small);
    assert.equal(bigFileSlotsInUse(), 0);
  });

  it('hands out 16 disjoint big slots at most, then small ones, and reuses what comes back', () => {
    const slots = Array.from({ length: 18 }, () => takeFileSlot(10 * BIG_CHUNK));
    const bigs = slots.filter((slot) => slot.big);
    assert.equal(bigs.length, 16);
    assert.equal(bigFileSlotsInUse(), 16);
    const starts = bigs.map((slot) => slot.base).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) {
      assert.ok((starts[i] ?? 0) - (starts[i - 1] ?? 0) >= BIG_CHUNK + 4096, 'slots overlap');
    }
    for (const slot of slots) giveFileSlot(slot);
    assert.equal(bigFileSlotsInUse(), 0);
    const again = takeFileSlot(10 * BIG_CHUNK);
    assert.ok(bigs.some((slot) => slot.base === again.base));
    giveFileSlot(again);
  });

  it('falls back to plain memory where WebAssembly is missing (node --jitless)', () => {
    const script = [
      "const { takeFileSlot } = await import('./src/http1/file-buffers.ts');",
      'const slot = takeFileSlot(5 * 1024 * 1024);',
      'slot.buffer.fill(7, slot.base, slot.base + slot.size);',
      'console.log(typeof WebAssembly, slot.big, slot.buffer.length >= slot.base + slot.size);',
    ].join('\n');
    const output = execFileSync(
      process.execPath,
      ['--jitless', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8', stdio: 'pipe' },
    );
    assert.equal(output.trim(), 'undefined true true');
  });
});
