// An in-memory Exchange for unit tests of handlers and directives: records what was sent.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Exchange, Handler, HeaderList } from '../../src/http/exchange.js';
import { editHeaderList } from '../../src/http/header-edit.js';
import type { PreparedResponse } from '../../src/http/prepared-response.js';
import { BodyKind, type RequestHead, findHeader } from '../../src/http/request-head.js';

export interface FakeRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: readonly string[];
  readonly remoteAddress?: string;
  readonly contentLength?: number;
  readonly chunked?: boolean;
}

export class FakeExchange implements Exchange {
  request: RequestHead;
  readonly remoteAddress: string;
  readonly remotePort = 40000;
  readonly secure = false;
  readonly path: string;
  readonly routePath = '/';
  headSent = false;
  closed = false;
  status = 0;
  /** The response fields after the directives' edits, as the engine would write them. */
  sentHeaders: readonly string[] = [];
  sentBody = '';
  bodyLimit = Number.POSITIVE_INFINITY;
  remoteUser = '';
  #add: readonly string[] | null = null;
  #remove: readonly string[] | null = null;

  constructor(options: FakeRequest = {}) {
    const path = options.path ?? '/';
    const bodyKind =
      options.chunked === true
        ? BodyKind.Chunked
        : options.contentLength !== undefined
          ? BodyKind.ContentLength
          : BodyKind.None;
    this.request = {
      method: options.method ?? 'GET',
      target: path,
      path,
      query: '',
      versionMajor: 1,
      versionMinor: 1,
      headers: options.headers ?? ['Host', 'example.test'],
      host: 'example.test',
      keepAlive: true,
      bodyKind,
      contentLength: options.contentLength ?? -1,
      expectContinue: false,
      upgrade: '',
      received: null,
    };
    this.remoteAddress = options.remoteAddress ?? '127.0.0.1';
    this.path = path;
  }

  get hasBody(): boolean {
    return this.request.bodyKind !== BodyKind.None;
  }

  /** A sent response field by lower-case name (first one). */
  header(lowerName: string): string | undefined {
    return findHeader(this.sentHeaders, lowerName);
  }

  /** Every value of a sent response field. */
  headerValues(lowerName: string): string[] {
    const values: string[] = [];
    for (let i = 0; i < this.sentHeaders.length; i += 2) {
      if ((this.sentHeaders[i] as string).toLowerCase() === lowerName) {
        values.push(this.sentHeaders[i + 1] as string);
      }
    }
    return values;
  }

  body(): Readable {
    return Readable.from([]);
  }

  send(status: number, headers: HeaderList, body?: string | Buffer): void {
    this.writeHead(status, headers);
    this.sentBody = body === undefined ? '' : body.toString();
  }

  sendPrepared(response: PreparedResponse): void {
    this.send(response.status, response.headers, response.body);
  }

  writeHead(status: number, headers: HeaderList): void {
    if (this.headSent) throw new Error('head already sent');
    this.headSent = true;
    this.status = status;
    this.sentHeaders = editHeaderList(headers, this.#remove, this.#add);
  }

  write(): boolean {
    return true;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  end(): void {
    // nothing to flush
  }

  sendStream(status: number, headers: HeaderList, stream: Readable): void {
    stream.destroy();
    this.writeHead(status, headers);
  }

  sendFile(status: number, headers: HeaderList, file: FileHandle): void {
    void file.close();
    this.writeHead(status, headers);
  }

  abort(): void {
    this.closed = true;
  }

  /** The client never leaves in memory: closing is tested over real sockets (test/e2e/early-close*). */
  watchClose(): void {
    // nothing to watch
  }

  /** No socket to hand over in memory: Upgrade is tested over real sockets (test/e2e/proxy-*). */
  upgrade(): never {
    throw new Error('FakeExchange has no socket to upgrade');
  }

  addResponseHeaders(list: HeaderList): void {
    this.#add = this.#add === null ? list : this.#add.concat(list);
  }

  removeResponseHeaders(lowerNames: readonly string[]): void {
    this.#remove = this.#remove === null ? lowerNames : this.#remove.concat(lowerNames);
  }

  setRemoteUser(user: string): void {
    this.remoteUser = user;
  }

  setRequestHeaders(list: HeaderList): void {
    this.request = { ...this.request, headers: list, received: null };
  }

  limitRequestBody(maxBytes: number): boolean {
    this.bodyLimit = maxBytes;
    const over =
      this.request.bodyKind === BodyKind.ContentLength && this.request.contentLength > maxBytes;
    if (over) this.send(413, []);
    return !over;
  }
}

/** A terminal handler that answers 200 "ok" and counts its calls; it echoes the request fields it saw. */
export class OkHandler implements Handler {
  calls = 0;
  lastRequestHeaders: readonly string[] = [];

  handle(exchange: Exchange): void {
    this.calls++;
    this.lastRequestHeaders = exchange.request.headers;
    exchange.send(200, ['Content-Type', 'text/plain', 'X-Handler', 'yes'], 'ok');
  }
}
