// Writes a run's machine-readable results to bench/results/[prefix]<timestamp>.json (gitignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));

/**
 * @param {Date} startedAt
 * @param {unknown} results
 * @param {string} [prefix] before the timestamp in the file name ("static-")
 * @returns {string} the file written
 */
export function writeResultsFile(startedAt, results, prefix = '') {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const path = join(resultsDir, `${prefix}${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
