// The HTTP `echo` handler: answers with the request itself, byte for byte as text, or as JSON, streaming the body back.
import { isUtf8 } from 'node:buffer';
import type { Exchange, Handler } from '../../http/exchange.js';
import { findHeader } from '../../http/request-head.js';
import { sendJsonEcho } from './json-echo.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The request head as it arrived: the received bytes (obs-text such as a latin1 0xE9 comes back
 * as that byte, not re-encoded); rebuilt one byte per char when there are none (edited fields).
 */
function receivedHead(exchange: Exchange): Buffer {
  const request = exchange.request;
  if (request.received !== null) return request.received;
  let text = `${request.method} ${request.target} HTTP/${request.versionMajor}.${request.versionMinor}\r\n`;
  const headers = request.headers;
  for (let i = 0; i < headers.length; i += 2) {
    text += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
  }
  return Buffer.from(`${text}\r\n`, 'latin1');
}

function wantsJson(exchange: Exchange): boolean {
  const accept = findHeader(exchange.request.headers, 'accept');
  return accept !== undefined && accept.includes('application/json');
}

/** The echo's options, resolved: `name` is set (the host name when the config gave none). */
export interface EchoOptions {
  /** Sent as X-Served-By (and JSON `served_by`): which instance answered. */
  readonly name: string;
}

class EchoHandler implements Handler {
  readonly #name: string;

  constructor(options: EchoOptions) {
    this.#name = options.name;
  }

  async handle(exchange: Exchange): Promise<void> {
    const client = `${exchange.remoteAddress}:${exchange.remotePort}`;
    if (wantsJson(exchange)) {
      const jsonHeaders = [
        'Content-Type',
        JSON_TYPE,
        'X-Client-Address',
        client,
        'Cache-Control',
        'no-store',
        'X-Served-By',
        this.#name,
      ];
      await sendJsonEcho(exchange, jsonHeaders, this.#name);
      return;
    }
    const head = receivedHead(exchange);
    // The bytes go back as received: a charset is claimed only when the head is valid UTF-8.
    const headers = [
      'Content-Type',
      isUtf8(head) ? 'text/plain; charset=utf-8' : 'text/plain',
      'X-Client-Address',
      client,
      'Cache-Control',
      'no-store',
      'X-Served-By',
      this.#name,
    ];
    const request = exchange.request;
    if (!exchange.hasBody) {
      exchange.send(200, headers, head);
      return;
    }
    const body = exchange.body(); // before the head: a client waiting on 100-continue gets it now
    // A Content-Length body makes the length known; a chunked one is echoed chunked (decoded).
    exchange.writeHead(
      200,
      headers,
      request.contentLength >= 0 ? head.length + request.contentLength : -1,
    );
    exchange.write(head);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (exchange.closed) return;
      if (!exchange.write(chunk)) await exchange.drained();
    }
    exchange.end();
  }
}

export function createEchoHandler(options: EchoOptions): Handler {
  return new EchoHandler(options);
}
