// Turns the module URLs a porta process loaded into the source modules they hold: a chunk of the
// bundle (dist/bundle/, scripts/bundle.mjs) stands for every src/ and node_modules/ module
// esbuild put in it, as chunks.json lists them; other URLs (node:*, tsx) stay as they are.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PORTA_MAIN } from './porta-process.js';

const BUNDLE = dirname(PORTA_MAIN);
const BUNDLE_URL = `${pathToFileURL(BUNDLE).href}/`;
const ROOT = join(BUNDLE, '..', '..');
const DIST_URL = `${pathToFileURL(join(ROOT, 'dist')).href}/`;

let chunks: Readonly<Record<string, readonly string[]>> | null = null;

/** Each loaded URL, a bundle chunk replaced by the file URLs of the source modules in it. */
export function bundledSources(urls: readonly string[]): string[] {
  chunks ??= JSON.parse(readFileSync(join(BUNDLE, 'chunks.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  const known = chunks;
  return urls.flatMap((url) => {
    if (url.startsWith(BUNDLE_URL)) {
      const inputs = known[url.slice(BUNDLE_URL.length)];
      if (inputs === undefined) throw new Error(`${url} is not in chunks.json (stale bundle?)`);
      return inputs.map((input) => pathToFileURL(join(ROOT, input)).href);
    }
    // tsc's output is the library's: the command line must not run it.
    if (url.startsWith(DIST_URL)) throw new Error(`${url}: tsc's dist/, not the bundle`);
    return [url];
  });
}
