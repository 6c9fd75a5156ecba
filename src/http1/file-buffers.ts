// Read buffers for sending files: a large download makes no garbage, and memory stays flat.
//
// A transfer holds one slot from its first read to its last write. Two measured facts shape them
// (BENCHMARKS.md, "Where the download time goes"):
// - The kernel copies a file's page-cache bytes into a buffer about 5x slower when the buffer sits
//   8 to 24 bytes past the file position modulo 4 KiB (0 and 32 are fast), and malloc puts a large
//   block 16 bytes into a page (`npm run bench:read-copy`). So the big slots live in a
//   WebAssembly.Memory, whose start is page-aligned, and every read lands at the same offset
//   within a page as its file position.
// - With that, 1 MiB reads and writes took a 100 MiB download from 1.7 to 2.5 GB/s over 256 KiB
//   ones: fewer system calls, callbacks and wake-ups of the client per byte.
// At most BIG_SLOTS big transfers run at once (16 MiB); others read through a 64 KiB buffer.

/** Bytes one read of a big slot may ask for. */
export const BIG_CHUNK = 1024 * 1024;
/** The buffer of a small transfer, and of any transfer while every big slot is taken. */
export const SMALL_CHUNK = 64 * 1024;
const PAGE = 4096;
const BIG_SLOTS = 16;
const SLOT_SIZE = BIG_CHUNK + PAGE;
const WASM_PAGE = 64 * 1024;
/** Free small buffers kept for the next transfers; more are left to the garbage collector. */
const KEEP_SMALL = 16;

/** Where a transfer reads to: `buffer` from `base`, `size` bytes at most per read. */
export interface FileSlot {
  readonly buffer: Buffer;
  readonly base: number;
  readonly size: number;
  /** A big slot: `PAGE` spare bytes after `size`, so a read may start at its file position's page offset. */
  readonly big: boolean;
}

// WebAssembly's types ship with the DOM lib, which a server leaves out: the one constructor used.
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
};

let arena: Buffer | null = null;
const freeBig: FileSlot[] = [];
const freeSmall: FileSlot[] = [];
let bigInUse = 0;
let bigCreated = 0;

function bigSlot(): FileSlot {
  const spare = freeBig.pop();
  if (spare !== undefined) return spare;
  arena ??= createArena(BIG_SLOTS * SLOT_SIZE);
  return { buffer: arena, base: bigCreated++ * SLOT_SIZE, size: BIG_CHUNK, big: true };
}

/** Memory for every big slot; its pages are only resident once a transfer has touched them. */
function createArena(bytes: number): Buffer {
  try {
    return Buffer.from(new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE) }).buffer);
  } catch {
    // No WebAssembly (node --jitless), or its address-space reservation refused (a small
    // `ulimit -v`): plain memory works the same, only without the page alignment.
    return Buffer.allocUnsafeSlow(bytes);
  }
}

/** A slot for sending `length` bytes: big when the transfer is large and a big slot is free. */
export function takeFileSlot(length: number): FileSlot {
  if (length > SMALL_CHUNK && bigInUse < BIG_SLOTS) {
    bigInUse++;
    return bigSlot();
  }
  return (
    freeSmall.pop() ?? {
      buffer: Buffer.allocUnsafeSlow(SMALL_CHUNK),
      base: 0,
      size: SMALL_CHUNK,
      big: false,
    }
  );
}

/** Called once the socket no longer holds the slot's bytes (every write from it completed). */
export function giveFileSlot(slot: FileSlot): void {
  if (slot.big) {
    bigInUse--;
    freeBig.push(slot);
  } else if (freeSmall.length < KEEP_SMALL) {
    freeSmall.push(slot);
  }
}

/** Big slots currently held by transfers (for tests). */
export function bigFileSlotsInUse(): number {
  return bigInUse;
}
