// Sends file bodies: whole (memory or disk), compressed while streaming, one range, or multipart/byteranges.
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import type { Exchange, HeaderList } from '../../http/exchange.js';
import { Coding, createCompressor } from '../../http/compression.js';
import { formatContentRange, type ByteRange } from '../../http/range.js';
import { nodeCrypto } from '../../lazy-builtins.js';
import type { FileRepresentation, Variant } from './representation.js';

/** Read size for streaming from disk: large enough for few syscalls, small enough for flat memory. */
const READ_CHUNK = 64 * 1024;
const CRLF = Buffer.from('\r\n', 'latin1');

/** Opens a file for reading, or null when it vanished or became unreadable since its stat. */
async function openFile(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch {
    return null;
  }
}

/**
 * Sends a whole variant with `status`: from memory when cached, else streamed from disk with
 * backpressure (compressed on the fly when the variant has no length). HEAD gets the head only
 * and no file is opened. Resolves false when the file could not be opened (nothing was sent).
 */
export async function sendVariant(
  exchange: Exchange,
  status: number,
  headers: HeaderList,
  variant: Variant,
  head: boolean,
): Promise<boolean> {
  if (variant.body !== null) {
    exchange.send(status, headers, variant.body);
    return true;
  }
  if (head || variant.size === 0) {
    exchange.writeHead(status, headers, variant.size);
    exchange.end();
    return true;
  }
  const handle = await openFile(variant.path);
  if (handle === null) return false;
  if (exchange.closed) {
    await handle.close();
    return true;
  }
  if (variant.size > 0) {
    // Exactly the length announced: a file that grew since its stat must not send more bytes
    // than Content-Length says (that would corrupt the next response on the connection).
    exchange.sendFile(status, headers, handle, 0, variant.size);
    return true;
  }
  const source = handle.createReadStream({ highWaterMark: READ_CHUNK });
  if (variant.coding === Coding.None) {
    exchange.sendStream(status, headers, source, -1);
    return true;
  }
  // Compressed on the fly: chunked, since the length is known only at the end. pipeline()
  // destroys the file stream when the engine destroys the compressor (client gone).
  const compressor = createCompressor(variant.coding, 0);
  pipeline(source, compressor, ignoreError);
  exchange.sendStream(status, headers, compressor, -1);
  return true;
}

/** Sends one range of the identity as a 206 (RFC 9110 §15.3.7.1). */
export async function sendSingleRange(
  exchange: Exchange,
  headers: HeaderList,
  representation: FileRepresentation,
  range: ByteRange,
  head: boolean,
): Promise<boolean> {
  const identity = representation.identity;
  const length = range.end - range.start + 1;
  const fields = [
    ...headers,
    'Content-Range',
    formatContentRange(range, representation.facts.size),
  ];
  if (identity.body !== null) {
    exchange.send(206, fields, identity.body.subarray(range.start, range.end + 1));
    return true;
  }
  if (head) {
    exchange.writeHead(206, fields, length);
    exchange.end();
    return true;
  }
  const handle = await openFile(identity.path);
  if (handle === null) return false;
  exchange.sendFile(206, fields, handle, range.start, length);
  return true;
}

/**
 * Sends several ranges as `multipart/byteranges` (RFC 9110 §14.6, §15.3.7.2), each part with its
 * Content-Type and Content-Range, with an exact Content-Length computed up front.
 */
export async function sendMultipleRanges(
  exchange: Exchange,
  representation: FileRepresentation,
  ranges: readonly ByteRange[],
  head: boolean,
  extraFields: HeaderList,
): Promise<boolean> {
  const boundary = nodeCrypto().randomBytes(12).toString('hex');
  const size = representation.facts.size;
  const type = representation.facts.contentType;
  const partHeads = ranges.map((range) =>
    Buffer.from(
      `--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: ${formatContentRange(range, size)}\r\n\r\n`,
      'latin1',
    ),
  );
  const closing = Buffer.from(`--${boundary}--\r\n`, 'latin1');
  let length = closing.length;
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i] as ByteRange;
    length += (partHeads[i] as Buffer).length + (range.end - range.start + 1) + CRLF.length;
  }
  const fields = [
    'Content-Type',
    `multipart/byteranges; boundary=${boundary}`,
    ...representation.partialFields,
    ...extraFields,
  ];
  const body = representation.identity.body;
  if (body !== null) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < ranges.length; i++) {
      const range = ranges[i] as ByteRange;
      chunks.push(partHeads[i] as Buffer, body.subarray(range.start, range.end + 1), CRLF);
    }
    chunks.push(closing);
    exchange.send(206, fields, Buffer.concat(chunks, length));
    return true;
  }
  if (head) {
    exchange.writeHead(206, fields, length);
    exchange.end();
    return true;
  }
  const handle = await openFile(representation.identity.path);
  if (handle === null) return false;
  const stream = Readable.from(multipartParts(handle, ranges, partHeads, closing), {
    objectMode: false,
  });
  exchange.sendStream(206, fields, stream, length);
  return true;
}

/** The parts of a multipart body read from disk one range at a time; closes the file at the end. */
async function* multipartParts(
  handle: FileHandle,
  ranges: readonly ByteRange[],
  partHeads: readonly Buffer[],
  closing: Buffer,
): AsyncGenerator<Buffer> {
  try {
    for (let i = 0; i < ranges.length; i++) {
      const range = ranges[i] as ByteRange;
      yield partHeads[i] as Buffer;
      const part = handle.createReadStream({
        start: range.start,
        end: range.end,
        highWaterMark: READ_CHUNK,
        autoClose: false,
      });
      for await (const chunk of part) yield chunk as Buffer;
      yield CRLF;
    }
    yield closing;
  } finally {
    await handle.close();
  }
}

function ignoreError(): void {
  // pipeline() needs a callback; a failure destroys the compressor, which the engine sees.
}
