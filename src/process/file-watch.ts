// Development reload: a change under a folder (but node_modules and dot-folders) reloads the server the way `porta reload` does.
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../log/logger.js';

/** Changes this close together are one reload (an editor's save is often several writes). */
const SETTLE_MS = 150;

function isIgnored(file: string): boolean {
  return file.split(/[\\/]/).some((part) => part === 'node_modules' || part.startsWith('.'));
}

/**
 * Watches `folder` (recursively) and calls `reload` once per burst of changes, never two at
 * once; returns a function that stops watching.
 */
export function watchForReload(
  folder: string,
  logger: Logger,
  reload: () => Promise<void>,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let changed = '';
  const fire = (): void => {
    timer = null;
    if (running !== null) {
      again = true;
      return;
    }
    logger.info(`Changed: ${changed}; reloading`);
    running = reload()
      .catch((error: unknown) => {
        logger.error(`Reload after a change failed: ${String(error)}`);
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          fire();
        }
      });
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(folder, { recursive: true }, (_event, file) => {
      if (file === null || isIgnored(file)) return;
      changed = file;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(fire, SETTLE_MS);
    });
  } catch (error) {
    logger.warning(`Cannot watch ${folder} for changes: ${String(error)}`);
    return () => undefined;
  }
  watcher.on('error', (error) => {
    logger.warning(`Stopped watching ${folder}: ${String(error)}`);
  });
  logger.info(`Watching ${folder} for changes (--watch)`);
  return () => {
    if (timer !== null) clearTimeout(timer);
    watcher.close();
  };
}
