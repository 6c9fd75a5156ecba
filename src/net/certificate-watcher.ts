// Watches certificate files (certbot renewals swap symlinks in their folder) and calls back once things settle.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** certbot writes cert, chain and key one after the other: wait until it is done. */
export const CERTIFICATE_DEBOUNCE_MS = 1000;

export class CertificateWatcher {
  readonly #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | null = null;

  /**
   * Watches the folders of `paths` (a file watch would stay on a replaced inode or a symlink's
   * old target) and calls `onChange` `debounceMs` after the last event about one of them.
   */
  constructor(
    paths: readonly string[],
    onChange: () => void,
    debounceMs = CERTIFICATE_DEBOUNCE_MS,
  ) {
    const byFolder = new Map<string, Set<string>>();
    for (const path of paths) {
      const names = byFolder.get(dirname(path)) ?? new Set<string>();
      names.add(basename(path));
      byFolder.set(dirname(path), names);
    }
    for (const [folder, names] of byFolder) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          if (name !== null && !names.has(name)) return;
          if (this.#timer !== null) clearTimeout(this.#timer);
          this.#timer = setTimeout(() => {
            this.#timer = null;
            onChange();
          }, debounceMs);
          this.#timer.unref();
        });
        watcher.on('error', () => undefined); // a folder that went away: reload still works
        this.#watchers.push(watcher);
      } catch {
        // No inotify (or no folder): `porta reload` still picks new files up.
      }
    }
  }

  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
  }
}
