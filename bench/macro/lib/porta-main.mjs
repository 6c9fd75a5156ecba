// Where the benches find the porta command: the bundled command line users run (package.json
// `bin`, scripts/bundle.mjs), and the one of another build named by its dist/index.js.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's porta command, relative to its root (for commands run from there). */
export const PORTA_MAIN_RELATIVE = 'dist/bundle/main.js';

/** This checkout's porta command, absolute. */
export const PORTA_MAIN = fileURLToPath(
  new URL(`../../../${PORTA_MAIN_RELATIVE}`, import.meta.url),
);

/**
 * The porta command of the build whose library is `indexJs` (BENCH_PORTA_BEFORE): its bundle
 * (dist/bundle/main.js) when it has one, else tsc's dist/main.js (builds from before the bundle).
 * @param {string} indexJs
 */
export function portaMainBeside(indexJs) {
  const bundled = join(dirname(indexJs), 'bundle', 'main.js');
  return existsSync(bundled) ? bundled : join(dirname(indexJs), 'main.js');
}
