// Writes an app's Response through the exchange: status, fields (each Set-Cookie its own line), and
// the body whole with Content-Length when it is already complete, else streamed with backpressure.
import type { Exchange } from '../../http/exchange.js';
import type { ReadableStreamReadResult } from 'node:stream/web';
import type { AppRequest } from './app-request.js';

/** Framing and connection fields are the engine's to write (RFC 9110 §7.6.1, RFC 9112 §6). */
function isEngineField(name: string): boolean {
  switch (name) {
    case 'content-length':
    case 'transfer-encoding':
    case 'connection':
    case 'keep-alive':
      return true;
    default:
      return false;
  }
}

/** RFC 9110 §6.4.1: these statuses carry no content. */
function hasNoContent(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

const NOT_YET: unique symbol = Symbol('not yet');
type Read = ReadableStreamReadResult<Uint8Array>;
type Maybe = Read | typeof NOT_YET;

/**
 * A read that settles within two microtask hops (the stream had the bytes, or had ended), else
 * NOT_YET: a body made from a string or bytes is then known whole without waiting on a timer.
 */
function readNow(pending: Promise<Read>): Promise<Maybe> {
  const later = Promise.resolve<Maybe>(NOT_YET).then((v) => v);
  return Promise.race<Maybe>([pending, later]);
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Sends `response` on `exchange`; resolves when the body is written (or the client left). */
export async function writeResponse(
  exchange: Exchange,
  response: Response,
  request: AppRequest,
): Promise<void> {
  const status = response.status;
  const fields: string[] = [];
  let length = -1;
  for (const [name, value] of response.headers) {
    if (!isEngineField(name)) fields.push(name, value);
    else if (name === 'content-length' && /^\d{1,15}$/.test(value)) length = Number(value);
  }
  const body = response.body;
  if (body === null || hasNoContent(status)) {
    if (body !== null) void body.cancel().catch(() => undefined);
    if (length >= 0 && exchange.request.method === 'HEAD') {
      // RFC 9110 §9.3.2: a HEAD answer may say the length a GET would have.
      exchange.writeHead(status, fields, length);
      exchange.end();
    } else exchange.send(status, fields);
    return;
  }
  const reader = body.getReader();
  // Try to have the whole body at once: most apps answer with a string or bytes.
  const chunks: Buffer[] = [];
  let pending: Promise<Read> | null = null;
  let done = false;
  if (length < 0) {
    for (let i = 0; i < 3; i++) {
      pending ??= reader.read();
      const read = await readNow(pending);
      if (read === NOT_YET) break;
      pending = null;
      if (read.done) {
        done = true;
        break;
      }
      chunks.push(toBuffer(read.value));
    }
  }
  if (exchange.closed) {
    void reader.cancel().catch(() => undefined);
    return;
  }
  if (done) {
    exchange.send(status, fields, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    return;
  }
  exchange.writeHead(status, fields, length);
  for (const chunk of chunks) exchange.write(chunk);
  request.streamResponse(reader);
  await pump(exchange, reader, pending);
}

/** Streams the rest of the body: waits for the socket to drain before reading on. */
async function pump(
  exchange: Exchange,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pending: Promise<Read> | null,
): Promise<void> {
  let next = pending ?? reader.read();
  for (;;) {
    const read = await next;
    if (exchange.closed) return; // the request's close watcher cancelled the stream
    if (read.done) break;
    if (!exchange.write(toBuffer(read.value))) await exchange.drained();
    next = reader.read();
  }
  exchange.end();
}
