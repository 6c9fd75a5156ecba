// The JSON form of the HTTP echo: the request head as JSON strings, the body as UTF-8 text or base64, each saying which.
import { isUtf8 } from 'node:buffer';
import type { Exchange, HeaderList } from '../../http/exchange.js';

/** Bodies up to this size are read whole to choose their encoding; larger ones stream as base64. */
const WHOLE_BODY_LIMIT = 1024 * 1024;

/** True when every char is ASCII (the usual header value): nothing to re-encode. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * One header as JSON: `[name, value]` with the value's bytes read as UTF-8 when they are valid
 * UTF-8, else `[name, base64, "base64"]` (obs-text such as a latin1 `caf\xe9`), so no byte is lost.
 * The parser keeps one char per byte (latin1), so the bytes come back exactly.
 */
function headerEntry(name: string, value: string): string[] {
  if (isAscii(value)) return [name, value];
  const bytes = Buffer.from(value, 'latin1');
  return isUtf8(bytes)
    ? [name, bytes.toString('utf8')]
    : [name, bytes.toString('base64'), 'base64'];
}

/** The JSON document up to (not including) the body fields. */
function headJson(exchange: Exchange, servedBy: string): string {
  const request = exchange.request;
  const headers: string[][] = [];
  for (let i = 0; i < request.headers.length; i += 2) {
    headers.push(headerEntry(request.headers[i] as string, request.headers[i + 1] as string));
  }
  const document = JSON.stringify({
    client: { address: exchange.remoteAddress, port: exchange.remotePort },
    method: request.method,
    target: request.target,
    path: request.path,
    query: request.query,
    version: `HTTP/${request.versionMajor}.${request.versionMinor}`,
    headers,
    served_by: servedBy,
  });
  return document.slice(0, -1);
}

/** The closing body fields for a body read whole. */
function bodyFields(body: Buffer): string {
  const utf8 = isUtf8(body);
  const text = utf8 ? body.toString('utf8') : body.toString('base64');
  return `,"body_encoding":"${utf8 ? 'utf-8' : 'base64'}","body":${JSON.stringify(text)}}\n`;
}

/**
 * Answers with the request as JSON. A body up to 1 MiB is read whole: UTF-8 text when it is valid
 * UTF-8, else base64. A larger one streams back as base64 (chunked), never held in memory whole.
 */
export async function sendJsonEcho(
  exchange: Exchange,
  headers: HeaderList,
  servedBy: string,
): Promise<void> {
  const head = headJson(exchange, servedBy);
  if (!exchange.hasBody) {
    exchange.send(200, headers, `${head}${bodyFields(Buffer.alloc(0))}`);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const body = exchange.body() as AsyncIterable<Buffer>;
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) {
      if (!exchange.closed)
        exchange.send(200, headers, `${head}${bodyFields(Buffer.concat(chunks))}`);
      return;
    }
    chunks.push(next.value);
    size += next.value.length;
    if (size > WHOLE_BODY_LIMIT) break;
  }
  // Too large to read whole: base64 from here, 3-byte groups so the pieces join into one string.
  exchange.writeHead(200, headers, -1);
  exchange.write(`${head},"body_encoding":"base64","body":"`);
  let carry: Buffer = Buffer.concat(chunks);
  for (;;) {
    const whole = carry.length - (carry.length % 3);
    if (!exchange.write(carry.subarray(0, whole).toString('base64'))) await exchange.drained();
    carry = carry.subarray(whole);
    if (exchange.closed) return;
    const next = await iterator.next();
    if (next.done === true) break;
    carry = carry.length === 0 ? next.value : Buffer.concat([carry, next.value]);
  }
  exchange.end(`${carry.toString('base64')}"}\n`);
}
