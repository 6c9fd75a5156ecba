// `npm run bench:read-copy`: the cost of reading a cached file into a buffer, by read size and by
// where the buffer sits within a memory page. It explains sendFile's slots (src/http1/file-buffers.ts):
// 1 MiB reads into a page-aligned WebAssembly.Memory, each at the file position's page offset.
// Prints milliseconds per 64 MiB read (median of 5) for each case; no server, no network.
import { closeSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FILE_SIZE = 64 * 1024 * 1024;
const REPEATS = 5;
const path = join(tmpdir(), `porta-read-copy-${process.pid}.bin`);

/** A page-aligned buffer: WebAssembly memory starts on a page boundary. */
function alignedBuffer(bytes) {
  const pages = Math.ceil(bytes / 65536);
  return Buffer.from(new WebAssembly.Memory({ initial: pages }).buffer);
}

/** Median milliseconds to read the whole file in `chunk`-byte reads into `buffer` at `offset`. */
function timeReads(fd, buffer, offset, chunk) {
  const runs = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const started = process.hrtime.bigint();
    for (let position = 0; position < FILE_SIZE; position += chunk) {
      readSync(fd, buffer, offset, chunk, position);
    }
    runs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(REPEATS / 2)];
}

function main() {
  writeFileSync(path, randomBytes(FILE_SIZE));
  const fd = openSync(path, 'r');
  try {
    const buffer = alignedBuffer(2 * 1024 * 1024 + 8192);
    // Warm the page cache and the buffer's pages.
    timeReads(fd, buffer, 0, 1024 * 1024);
    console.log('Reading a cached 64 MiB file (ms, median of 5; lower is better)\n');
    console.log('| read size | buffer at page offset 0 | offset 16 (malloc) | offset 2048 |');
    console.log('| --------: | ----------------------: | -----------------: | ----------: |');
    for (const kib of [64, 128, 256, 1024]) {
      const chunk = kib * 1024;
      const cells = [0, 16, 2048].map((offset) => timeReads(fd, buffer, offset, chunk).toFixed(1));
      console.log(`| ${kib} KiB | ${cells.join(' | ')} |`);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

main();
