// Turns on test/support/record-modules.mjs for a porta process and reads what each of its processes (and threads) loaded.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledSources } from './bundle-sources.js';

const HOOK = fileURLToPath(new URL('./record-modules.mjs', import.meta.url));

/** A fresh folder `<dir>/<name>` for the hook's lists and the environment that turns it on. */
export function recordModules(
  dir: string,
  name: string,
): { readonly modules: string; readonly env: NodeJS.ProcessEnv } {
  const modules = join(dir, name);
  mkdirSync(modules);
  const env = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${HOOK}`,
    PORTA_TEST_MODULES_DIR: modules,
  };
  return { modules, env };
}

/**
 * Every module each process's main thread loaded, by pid (file URLs of the source modules each
 * bundle chunk holds, or `node:x` for builtins).
 */
export function loadedModules(dir: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const name of readdirSync(dir)) {
    if (!/^\d+\.txt$/.test(name)) continue; // a worker thread's list: threadsOf
    const urls = readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean);
    out.set(Number(name.replace('.txt', '')), bundledSources(urls));
  }
  return out;
}

/** What each worker thread of process `pid` loaded (a single process's config checks). */
export function threadsOf(dir: string, pid: number): string[][] {
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${pid}-thread`))
    .map((name) =>
      bundledSources(readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean)),
    );
}
