// Reads a log file the server writes in batches: its lines now, or once they satisfy a condition.
import { readFile } from 'node:fs/promises';

/** The file's non-empty lines; none when it does not exist (yet). */
export async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

/** Waits (polling) until the lines satisfy `predicate` and returns them; fails after `waitMs`. */
export async function linesWhen(
  path: string,
  predicate: (lines: string[]) => boolean,
  waitMs = 20_000,
): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lines = await readLines(path);
    if (predicate(lines)) return lines;
    if (Date.now() > deadline)
      throw new Error(`${path} never matched; it holds:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
