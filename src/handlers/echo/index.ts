// The HTTP `echo` handler: answers with the request itself, as text or JSON, streaming the body back.
import { StringDecoder } from 'node:string_decoder';
import type { Exchange, Handler } from '../../http/exchange.js';
import { findHeader } from '../../http/request-head.js';

const TEXT_TYPE = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** The request head as it arrived, as text: request line, fields in order, empty line. */
function headText(exchange: Exchange): string {
  const request = exchange.request;
  let text = `${request.method} ${request.target} HTTP/${request.versionMajor}.${request.versionMinor}\r\n`;
  const headers = request.headers;
  for (let i = 0; i < headers.length; i += 2) {
    text += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
  }
  return `${text}\r\n`;
}

/** The JSON document up to the body string's opening quote; the body is streamed into it. */
function jsonPrefix(exchange: Exchange): string {
  const request = exchange.request;
  const headers: [string, string][] = [];
  for (let i = 0; i < request.headers.length; i += 2) {
    headers.push([request.headers[i] as string, request.headers[i + 1] as string]);
  }
  const document = JSON.stringify({
    client: { address: exchange.remoteAddress, port: exchange.remotePort },
    method: request.method,
    target: request.target,
    path: request.path,
    query: request.query,
    version: `HTTP/${request.versionMajor}.${request.versionMinor}`,
    headers,
  });
  return `${document.slice(0, -1)},"body":"`;
}

function wantsJson(exchange: Exchange): boolean {
  const accept = findHeader(exchange.request.headers, 'accept');
  return accept !== undefined && accept.includes('application/json');
}

class EchoHandler implements Handler {
  async handle(exchange: Exchange): Promise<void> {
    const json = wantsJson(exchange);
    const client = `${exchange.remoteAddress}:${exchange.remotePort}`;
    const headers = [
      'Content-Type',
      json ? JSON_TYPE : TEXT_TYPE,
      'X-Client-Address',
      client,
      'Cache-Control',
      'no-store',
    ];
    const prefix = json ? jsonPrefix(exchange) : headText(exchange);
    const request = exchange.request;
    if (!exchange.hasBody) {
      exchange.send(200, headers, json ? `${prefix}"}\n` : prefix);
      return;
    }
    const body = exchange.body(); // before the head: a client waiting on 100-continue gets it now
    // A text echo of a Content-Length body has a known length; JSON escaping changes it.
    const length =
      !json && request.contentLength >= 0 ? Buffer.byteLength(prefix) + request.contentLength : -1;
    exchange.writeHead(200, headers, length);
    exchange.write(prefix);
    const decoder = json ? new StringDecoder('utf8') : null;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (exchange.closed) return;
      const ok =
        decoder === null
          ? exchange.write(chunk)
          : exchange.write(JSON.stringify(decoder.write(chunk)).slice(1, -1));
      if (!ok) await exchange.drained();
    }
    if (decoder !== null) exchange.write(`${JSON.stringify(decoder.end()).slice(1, -1)}"}\n`);
    exchange.end();
  }
}

export function createEchoHandler(): Handler {
  return new EchoHandler();
}
