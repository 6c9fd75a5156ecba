// Runs the parser cases of test/http1-cases/*.md whole, split at every offset, byte by byte and paused.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type ParserCase,
  mentionedKinds,
  normalizeEvents,
  parseCaseFile,
} from './http1-cases/case-file.js';
import { feedPaused, feedPieces } from './http1-cases/recording-sink.js';

const CASES_DIR = new URL('./http1-cases/', import.meta.url);
/** HTTP1_CASES_RUN_SKIPPED=1 runs the cases marked `skip:` too (to check a parser fix). */
const RUN_SKIPPED = process.env['HTTP1_CASES_RUN_SKIPPED'] === '1';

/** Runs one case every way and compares each with the expected events. */
function checkCase(parserCase: ParserCase): void {
  const { input, limits } = parserCase;
  const kinds = mentionedKinds(parserCase.expected);
  const expected = normalizeEvents(parserCase.expected, kinds);
  const check = (mode: string, run: () => string[]): void => {
    let lines: string[];
    try {
      lines = run();
    } catch (error) {
      // Keep the mode in the message: which way of feeding broke a rule.
      throw new Error(`mode: ${mode}: ${String(error)}`, { cause: error });
    }
    assert.deepEqual(normalizeEvents(lines, kinds), expected, `mode: ${mode}`);
  };
  check('whole', () => feedPieces([input], limits).finish());
  for (let at = 1; at < input.length; at++) {
    const pieces = [input.subarray(0, at), input.subarray(at)];
    check(`split at ${at}`, () => feedPieces(pieces, limits).finish());
  }
  const bytes: Buffer[] = [];
  for (let at = 0; at < input.length; at++) bytes.push(input.subarray(at, at + 1));
  check('byte by byte', () => feedPieces(bytes, limits).finish());
  check('paused on every event', () => feedPaused(input, limits).finish());
}

const files = readdirSync(CASES_DIR)
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .sort();

assert.ok(files.length > 0, 'no case files found');

for (const file of files) {
  const cases = parseCaseFile(
    `test/http1-cases/${file}`,
    readFileSync(new URL(file, CASES_DIR), 'utf8'),
  );
  describe(file, () => {
    for (const parserCase of cases) {
      const options = parserCase.skip === null || RUN_SKIPPED ? {} : { skip: parserCase.skip };
      it(`${parserCase.name} (line ${parserCase.line})`, options, () => {
        checkCase(parserCase);
      });
    }
  });
}
