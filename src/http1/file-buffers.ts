// Recycled read buffers for sending files: a large download makes no garbage, and memory stays flat.

/** One read from disk, one write to the socket. */
export const FILE_CHUNK = 256 * 1024;
/** Free buffers kept for the next transfer (2 MiB); more are left to the garbage collector. */
const KEEP = 8;

const free: Buffer[] = [];

export function takeFileBuffer(): Buffer {
  return free.pop() ?? Buffer.allocUnsafeSlow(FILE_CHUNK);
}

/** Called once the socket no longer needs the bytes (its write callback). */
export function giveFileBuffer(buffer: Buffer): void {
  if (free.length < KEEP) free.push(buffer);
}
