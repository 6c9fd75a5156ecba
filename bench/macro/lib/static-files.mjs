// Generates the files every static server serves, into one temp folder: 13 B, 1 KiB, 64 KiB and
// 1 MiB text files, and the large download file, written in blocks so it never sits in memory.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {object} StaticFile
 * @property {string} name file name in the folder (the URL path is "/" + name)
 * @property {number} size bytes
 * @property {Buffer} content
 */

/**
 * @typedef {object} StaticFiles
 * @property {string} dir the folder served
 * @property {StaticFile[]} small the files wrk requests, with their content for the start check
 * @property {{ name: string, size: number }} download the large file
 * @property {() => void} remove deletes the folder
 */

/** Folders still on disk, so an interrupted run can remove them too. */
const made = new Set();

/**
 * Printable text of exactly `size` bytes (a repeated line), so no server treats it as binary.
 * @param {number} size
 * @returns {Buffer}
 */
function text(size) {
  const line = Buffer.from('porta static benchmark: the same bytes for every server 0123456789\n');
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += line.length)
    line.copy(out, at, 0, Math.min(line.length, size - at));
  return out;
}

/**
 * @param {number} downloadBytes size of the large file
 * @returns {StaticFiles}
 */
export function createStaticFiles(downloadBytes) {
  const dir = mkdtempSync(join(tmpdir(), 'porta-bench-static-'));
  made.add(dir);
  /** @type {StaticFile[]} */
  const small = [
    { name: '13b.txt', size: 13, content: Buffer.from('Hello, World!') },
    { name: '1k.txt', size: 1024, content: text(1024) },
    { name: '64k.txt', size: 65536, content: text(65536) },
    { name: '1m.txt', size: 1048576, content: text(1048576) },
  ];
  for (const file of small) writeFileSync(join(dir, file.name), file.content);

  const download = { name: 'download.bin', size: downloadBytes };
  const block = text(1048576);
  const fd = openSync(join(dir, download.name), 'w');
  try {
    for (let left = downloadBytes; left > 0; left -= block.length) {
      writeSync(fd, block, 0, Math.min(block.length, left));
    }
  } finally {
    closeSync(fd);
  }
  return {
    dir,
    small,
    download,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      made.delete(dir);
    },
  };
}

/** Removes every folder made here that is still on disk (SIGINT, time limit). */
export function removeStaticFiles() {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
