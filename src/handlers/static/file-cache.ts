// A bounded cache of resolved paths (entries and file bodies) with CLOCK eviction and directory watches.
import { watch, type FSWatcher } from 'node:fs';
import type { Entry } from './entry.js';

/** Fixed bookkeeping cost of one entry, so a flood of tiny misses is bounded by bytes as well. */
const ENTRY_OVERHEAD = 256;
/** Most directories watched at once; beyond it the stat TTL alone notices changes. */
const MAX_WATCHED_DIRECTORIES = 1024;

interface Watched {
  readonly watcher: FSWatcher;
  readonly entries: Set<Entry>;
}

/**
 * Maps raw request paths to entries. Bounded by entry count and bytes; eviction is CLOCK (a
 * second chance for entries used since the hand last passed), which keeps hot files without
 * reordering the map on every hit. With `watch`, each directory holding a cached entry is
 * watched and any change in it marks its entries stale, so an edit shows on the next request.
 */
export class FileCache {
  readonly #map = new Map<string, Entry>();
  readonly #keys = new Map<Entry, string>();
  readonly #watched = new Map<string, Watched>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #watch: boolean;
  #bytes = 0;
  #closed = false;

  constructor(maxEntries: number, maxBytes: number, watchDirectories: boolean) {
    this.#maxEntries = Math.max(1, maxEntries);
    this.#maxBytes = maxBytes;
    this.#watch = watchDirectories;
  }

  /** The entry for a key (marked as used), or undefined. */
  get(key: string): Entry | undefined {
    const entry = this.#map.get(key);
    if (entry !== undefined) entry.used = true;
    return entry;
  }

  /** Stores an entry under a key, replacing any previous one, evicting others to fit. */
  set(key: string, entry: Entry): void {
    if (this.#closed) return;
    const previous = this.#map.get(key);
    if (previous !== undefined) this.#remove(key, previous);
    const cost = ENTRY_OVERHEAD + entry.cost;
    if (cost > this.#maxBytes) return;
    this.#evictFor(cost);
    this.#map.set(key, entry);
    this.#keys.set(entry, key);
    this.#bytes += cost;
    if (this.#watch && entry.watchDirectory !== '') this.#watchFor(entry);
  }

  /** Accounts for bytes an entry gained after it was stored (a compressed variant). */
  grow(entry: Entry, bytes: number): void {
    entry.cost += bytes;
    if (this.#keys.has(entry)) {
      this.#bytes += bytes;
      if (this.#bytes > this.#maxBytes) this.#evictFor(0);
    }
  }

  /** Entries held and bytes accounted, for tests and debug logs. */
  get stats(): { readonly entries: number; readonly bytes: number; readonly watched: number } {
    return { entries: this.#map.size, bytes: this.#bytes, watched: this.#watched.size };
  }

  /** Drops everything and closes the watchers. */
  close(): void {
    this.#closed = true;
    for (const watched of this.#watched.values()) watched.watcher.close();
    this.#watched.clear();
    this.#map.clear();
    this.#keys.clear();
    this.#bytes = 0;
  }

  /** Evicts entries, CLOCK order, until `cost` more bytes and one more entry fit. */
  #evictFor(cost: number): void {
    while (
      this.#map.size > 0 &&
      (this.#map.size >= this.#maxEntries || this.#bytes + cost > this.#maxBytes)
    ) {
      // The map's insertion order is the clock face: used entries get a second chance at the end.
      for (const [key, entry] of this.#map) {
        if (entry.used) {
          entry.used = false;
          this.#map.delete(key);
          this.#map.set(key, entry);
          continue;
        }
        this.#remove(key, entry);
        break;
      }
    }
  }

  #remove(key: string, entry: Entry): void {
    this.#map.delete(key);
    this.#keys.delete(entry);
    this.#bytes -= ENTRY_OVERHEAD + entry.cost;
    const watched = this.#watched.get(entry.watchDirectory);
    if (watched !== undefined) {
      watched.entries.delete(entry);
      if (watched.entries.size === 0) {
        watched.watcher.close();
        this.#watched.delete(entry.watchDirectory);
      }
    }
  }

  #watchFor(entry: Entry): void {
    const directory = entry.watchDirectory;
    let watched = this.#watched.get(directory);
    if (watched === undefined) {
      if (this.#watched.size >= MAX_WATCHED_DIRECTORIES) return;
      let watcher: FSWatcher;
      try {
        watcher = watch(directory, { persistent: false });
      } catch {
        return; // gone already, or out of inotify watches: the stat TTL still applies
      }
      const created: Watched = { watcher, entries: new Set() };
      watcher.on('change', () => {
        for (const stale of created.entries) stale.checkedAt = -Infinity;
      });
      watcher.on('error', () => {
        for (const stale of created.entries) stale.checkedAt = -Infinity;
        watcher.close();
        if (this.#watched.get(directory) === created) this.#watched.delete(directory);
      });
      watched = created;
      this.#watched.set(directory, watched);
    }
    watched.entries.add(entry);
  }
}
