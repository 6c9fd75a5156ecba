// Tests for the file cache: bounds by entries and bytes, CLOCK second chances, directory watches.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Entry, EntryKind } from './entry.js';
import { FileCache } from './file-cache.js';

function entry(cost = 0, watchDirectory = ''): Entry {
  const created = new Entry(EntryKind.NotFound, 'N', { watchDirectory });
  created.cost = cost;
  return created;
}

describe('FileCache', () => {
  it('keeps at most maxEntries, giving recently used entries a second chance', () => {
    const cache = new FileCache(3, 1 << 20, false);
    cache.set('/a', entry());
    cache.set('/b', entry());
    cache.set('/c', entry());
    // All start "used"; touch /a again after the hand clears bits on the next insert.
    cache.set('/d', entry());
    assert.equal(cache.stats.entries, 3);
    cache.get('/c');
    cache.get('/d');
    cache.set('/e', entry());
    assert.equal(cache.stats.entries, 3);
    assert.ok(cache.get('/c') !== undefined && cache.get('/d') !== undefined, 'used entries stay');
    cache.close();
  });

  it('bounds bytes, counts growth, and refuses an entry bigger than everything', () => {
    const cache = new FileCache(100, 10_000, false);
    cache.set('/big', entry(20_000));
    assert.equal(cache.get('/big'), undefined);
    const a = entry(4000);
    cache.set('/a', a);
    cache.set('/b', entry(4000));
    assert.equal(cache.stats.entries, 2);
    cache.grow(a, 3000);
    assert.ok(cache.stats.bytes <= 10_000, `${cache.stats.bytes}`);
    cache.close();
  });

  it('replaces an entry under the same key', () => {
    const cache = new FileCache(10, 1 << 20, false);
    const first = entry(100);
    cache.set('/x', first);
    const second = entry(200);
    cache.set('/x', second);
    assert.equal(cache.get('/x'), second);
    assert.equal(cache.stats.entries, 1);
    assert.equal(cache.stats.bytes, 256 + 200);
    cache.close();
  });

  it('marks entries of a watched directory stale when something changes there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'porta-cache-'));
    const cache = new FileCache(10, 1 << 20, true);
    try {
      const watched = entry(0, dir);
      watched.checkedAt = 1;
      cache.set('/f', watched);
      assert.equal(cache.stats.watched, 1);
      await writeFile(join(dir, 'f.txt'), 'x');
      for (let i = 0; i < 100 && watched.checkedAt !== -Infinity; i++) await sleep(10);
      assert.equal(watched.checkedAt, -Infinity);
    } finally {
      cache.close();
      assert.equal(cache.stats.watched, 0);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
