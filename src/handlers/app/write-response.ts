// Writes an app's Response through the exchange: status, fields (each Set-Cookie its own line), and
// the body whole with Content-Length when it is already complete, else streamed with backpressure.
import type { Exchange, HeaderList } from '../../http/exchange.js';
import type { ReadableStreamReadResult } from 'node:stream/web';
import type { AppRequest } from './app-request.js';
import { AppResponse, STREAMED } from './app-response.js';

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

/** The fields to write, the engine's own left out, and the Content-Length the app gave (-1: none). */
function collectFields(headers: Headers, fields: string[]): number {
  let length = -1;
  for (const [name, value] of headers) {
    if (!isEngineField(name)) fields.push(name, value);
    else if (name === 'content-length' && /^\d{1,15}$/.test(value)) length = Number(value);
  }
  return length;
}

/** A response without content: the head alone (for HEAD, with the length a GET would have). */
function sendHead(exchange: Exchange, status: number, fields: HeaderList, length: number): void {
  if (length >= 0 && exchange.request.method === 'HEAD') {
    // RFC 9110 §9.3.2: a HEAD answer may say the length a GET would have.
    exchange.writeHead(status, fields, length);
    exchange.end();
  } else exchange.send(status, fields);
}

/**
 * Sends `response` on `exchange`: at once when its body is whole (a string or bytes the app gave
 * porta's lightweight Response, or none), in one write with Content-Length; else returns a promise
 * that resolves when the streamed body is written (or the client left).
 */
export function writeResponse(
  exchange: Exchange,
  response: Response,
  request: AppRequest,
): Promise<void> | undefined {
  if (!AppResponse.isLight(response)) return writeNativeResponse(exchange, response, request);
  const status = response.status;
  const whole = response.whole;
  let fields = response.impliedFields;
  let length = -1;
  if (fields === null) {
    const collected: string[] = [];
    length = collectFields(response.headers, collected);
    fields = collected;
  }
  if (whole === null) sendHead(exchange, status, fields, length);
  else if (whole !== STREAMED) {
    // The engine counts the bytes: a Content-Length from the app cannot disagree with them.
    exchange.send(status, fields, typeof whole === 'string' ? whole : toBuffer(whole));
  } else {
    const body = response.body;
    if (body === null || hasNoContent(status)) {
      if (body !== null) void body.cancel().catch(() => undefined);
      sendHead(exchange, status, fields, length);
    } else return writeStream(exchange, status, fields, length, body, request);
  }
  return undefined;
}

/** An undici Response (from fetch, Response.json, ...): its body is read through its stream. */
function writeNativeResponse(
  exchange: Exchange,
  response: Response,
  request: AppRequest,
): Promise<void> | undefined {
  const status = response.status;
  const fields: string[] = [];
  const length = collectFields(response.headers, fields);
  const body = response.body;
  if (body !== null && !hasNoContent(status)) {
    return writeStream(exchange, status, fields, length, body, request);
  }
  if (body !== null) void body.cancel().catch(() => undefined);
  sendHead(exchange, status, fields, length);
  return undefined;
}

/**
 * A body behind a stream. Without a Content-Length from the app, what the stream holds already
 * (it may be a whole body) is read first: if that is all, it goes whole with Content-Length; else
 * chunked (HTTP/1.1), read on as the socket drains.
 */
async function writeStream(
  exchange: Exchange,
  status: number,
  fields: HeaderList,
  length: number,
  body: ReadableStream<Uint8Array>,
  request: AppRequest,
): Promise<void> {
  const reader = body.getReader();
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
