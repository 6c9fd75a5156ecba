import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlineSweeper } from './deadline-sweeper.js';

/** Waits until `done()` holds, polling; fails after a generous guard (not a speed check). */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('DeadlineSweeper', () => {
  it('sweeps while something is watched, stops once the sweep says nothing is left, starts again on watch', async () => {
    let items = 2;
    let sweeps = 0;
    let lastNow = 0;
    const sweeper = new DeadlineSweeper(10, (now) => {
      sweeps++;
      lastNow = now;
      items--;
      return items > 0;
    });
    try {
      assert.equal(sweeps, 0, 'nothing runs before the first watch');
      sweeper.watch();
      sweeper.watch(); // a second watch does not start a second timer
      await until(() => items === 0, 'two sweeps');
      assert.ok(lastNow > 0 && Math.abs(Date.now() - lastNow) < 5000, 'sweep gets the time');
      await sleep(60);
      assert.equal(sweeps, 2, 'stopped after the sweep that found nothing left');
      items = 1;
      sweeper.watch();
      await until(() => items === 0, 'a sweep after watching again');
      await sleep(60);
      assert.equal(sweeps, 3);
    } finally {
      sweeper.stop();
    }
  });

  it('stop() ends sweeping at once', async () => {
    let sweeps = 0;
    const sweeper = new DeadlineSweeper(10, () => {
      sweeps++;
      return true;
    });
    sweeper.watch();
    await until(() => sweeps > 0, 'a first sweep');
    sweeper.stop();
    const seen = sweeps;
    await sleep(60);
    assert.equal(sweeps, seen);
  });
});
