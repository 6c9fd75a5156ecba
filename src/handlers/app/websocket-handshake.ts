// The WebSocket opening handshake on an app route (RFC 6455 §4.2.1): which requests ask for one,
// which are refused before the socket changes hands, and the node:http-like request Node's
// WebSocket libraries (ws, crossws's Node adapter, @hono/node-ws) take with the socket.
import type { Socket } from 'node:net';
import type { Exchange } from '../../http/exchange.js';
import { findHeader } from '../../http/request-head.js';

/** The request asks to become a WebSocket: `Upgrade: websocket` on HTTP/1.1 (HTTP/2 has no Upgrade). */
export function asksForWebSocket(exchange: Exchange): boolean {
  const upgrade = exchange.request.upgrade;
  if (upgrade === '') return false;
  // RFC 9110 §7.8: a list of protocols; clients send just "websocket".
  for (const token of upgrade.split(',')) {
    if (token.trim().toLowerCase() === 'websocket') return true;
  }
  return false;
}

/** Why a handshake cannot go on: the status and fields to answer with instead of 101. */
export interface HandshakeRefusal {
  readonly status: number;
  readonly fields: readonly string[];
  readonly reason: string;
}

/** RFC 6455 §4.1: the key is 16 random bytes in base64 (24 characters ending in "=="). */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Checks what RFC 6455 §4.2.1 asks of the handshake request; null when it may go on. */
export function checkHandshake(exchange: Exchange): HandshakeRefusal | null {
  const request = exchange.request;
  if (request.method !== 'GET') {
    return { status: 400, fields: [], reason: 'a WebSocket handshake must be a GET' };
  }
  if (exchange.hasBody) {
    return { status: 400, fields: [], reason: 'a WebSocket handshake has no body' };
  }
  const key = findHeader(request.headers, 'sec-websocket-key');
  if (key === undefined || !KEY.test(key)) {
    return { status: 400, fields: [], reason: 'Sec-WebSocket-Key is missing or not 16 bytes' };
  }
  const version = findHeader(request.headers, 'sec-websocket-version');
  if (version !== '13' && version !== '8') {
    // RFC 6455 §4.2.2: say which version this server speaks.
    return {
      status: 426,
      fields: ['Sec-WebSocket-Version', '13'],
      reason: 'Sec-WebSocket-Version must be 13',
    };
  }
  return null;
}

/**
 * The request object a node:http server passes to its `upgrade` listeners, as far as WebSocket
 * libraries read it: method, url (the request target), headers (lower-case names, repeated
 * fields joined) and the socket. Not an IncomingMessage: there is no body stream to read.
 */
export class UpgradeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly rawHeaders: string[];
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly socket: Socket;

  constructor(exchange: Exchange, socket: Socket) {
    const request = exchange.request;
    this.method = request.method;
    this.url = request.target;
    this.socket = socket;
    this.rawHeaders = [...request.headers];
    const headers = Object.create(null) as Record<string, string>;
    const list = request.headers;
    for (let i = 0; i < list.length; i += 2) {
      const name = (list[i] as string).toLowerCase();
      const value = list[i + 1] as string;
      const before = headers[name];
      // As node:http joins them: Cookie with "; ", other repeated fields with ", ".
      headers[name] =
        before === undefined ? value : `${before}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
    this.headers = headers;
  }
}
