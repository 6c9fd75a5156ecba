// A raw-socket HTTP/1.1 upstream for fault tests: the last path segment picks how it answers or fails.
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

/**
 * What the upstream does once it has a request head, by the last segment of the path:
 * - `echo`: reads the body (Content-Length or chunked), answers 200 `got N`, keeps the connection;
 * - `early`: answers 405 at once without reading the body, then closes;
 * - `early-keep`: answers 405 at once (keep-alive), then reads that body and serves on;
 * - `hang`: never answers (for clients that leave while porta waits);
 * - `close-before-head`, `close-mid-head`, `close-mid-body`, `close-mid-chunk`: fails there
 *   (`close-mid-small-body`: a body porta holds whole before answering);
 * - `stream`: a chunked body of 16 KiB pieces, a few a second, until the connection closes;
 * - `ws`: 101, then echoes bytes; `ws-close`: 101, a few bytes, then a reset.
 */
export type UpstreamMode =
  | 'echo'
  | 'early'
  | 'early-keep'
  | 'hang'
  | 'close-before-head'
  | 'close-mid-head'
  | 'close-mid-body'
  | 'close-mid-small-body'
  | 'close-mid-chunk'
  | 'stream'
  | 'ws'
  | 'ws-close';

export interface ScriptedUpstream {
  readonly port: number;
  /** Request heads seen, by mode. */
  readonly requests: Map<string, number>;
  /** Connections that closed after carrying a request of this mode. */
  readonly closes: Map<string, number>;
  /** Every request head seen, raw (for header checks). */
  readonly heads: string[];
  close(): Promise<void>;
}

const STREAM_PIECE = Buffer.alloc(16 * 1024, 0x61);
/** A stream answer stops after this many pieces whatever happens (bounded tests). */
const STREAM_PIECES = 200;

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

class UpstreamConnection {
  readonly #socket: Socket;
  readonly #upstream: ScriptedUpstream;
  #buffered = Buffer.alloc(0);
  #mode = '';
  /** Body bytes still expected (-1 chunked, -2 none: reading heads). */
  #bodyLeft = -2;
  #bodyRead = 0;
  #dropping = false;
  /** The current request was answered before its body (early-keep). */
  #answered = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(socket: Socket, upstream: ScriptedUpstream) {
    this.#socket = socket;
    this.#upstream = upstream;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('close', () => {
      if (this.#timer !== null) clearInterval(this.#timer);
      if (this.#mode !== '') bump(upstream.closes, this.#mode);
    });
  }

  #onData(chunk: Buffer): void {
    if (this.#dropping) return;
    if (this.#mode === 'ws') {
      this.#socket.write(chunk);
      return;
    }
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    for (;;) {
      if (this.#bodyLeft === -2) {
        const end = this.#buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.#buffered.subarray(0, end).toString('latin1');
        this.#buffered = this.#buffered.subarray(end + 4);
        if (!this.#onHead(head)) return;
      }
      if (!this.#readBody()) return;
      if (!this.#answered) this.#answer(200, `got ${this.#bodyRead}`);
      this.#answered = false;
      this.#bodyLeft = -2;
      this.#bodyRead = 0;
    }
  }

  /** Consumes body bytes; true when the body is complete. */
  #readBody(): boolean {
    if (this.#bodyLeft === -1) {
      const end = this.#buffered.indexOf('0\r\n\r\n');
      if (end < 0) return false;
      this.#bodyRead += end;
      this.#buffered = this.#buffered.subarray(end + 5);
      return true;
    }
    const take = Math.min(this.#bodyLeft, this.#buffered.length);
    this.#bodyLeft -= take;
    this.#bodyRead += take;
    this.#buffered = this.#buffered.subarray(take);
    return this.#bodyLeft === 0;
  }

  /** Acts on a request head; true when a body to read (and an echo answer) follows. */
  #onHead(head: string): boolean {
    const upstream = this.#upstream;
    upstream.heads.push(head);
    const target = head.slice(head.indexOf(' ') + 1, head.indexOf(' HTTP/'));
    const mode = target.slice(target.lastIndexOf('/') + 1).split('?')[0] ?? '';
    this.#mode = mode;
    bump(upstream.requests, mode);
    const lower = head.toLowerCase();
    const length = /\r\ncontent-length: *(\d+)/.exec(lower);
    const chunked = lower.includes('\r\ntransfer-encoding: chunked');
    const socket = this.#socket;
    // echo-<anything>: an echo whose connections can be told apart from the others'.
    switch (mode.startsWith('echo-') ? 'echo' : mode) {
      case 'echo':
        this.#bodyLeft = chunked ? -1 : length === null ? 0 : Number(length[1]);
        return true;
      case 'early':
        socket.end(
          'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 3\r\nConnection: close\r\n\r\nno\n',
        );
        this.#dropping = true;
        return false;
      case 'early-keep':
        // Answers now, then reads this request's body (whatever of it porta sends) and serves on.
        socket.write(
          'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 3\r\n\r\nno\n',
        );
        this.#answered = true;
        this.#bodyLeft = chunked ? -1 : length === null ? 0 : Number(length[1]);
        return true;
      case 'hang':
        this.#dropping = true;
        return false;
      case 'close-before-head':
        socket.destroy();
        return false;
      case 'close-mid-head':
        socket.write('HTTP/1.1 200 OK\r\nContent-Le');
        this.#destroySoon();
        return false;
      case 'close-mid-body':
      case 'close-mid-small-body': {
        // porta holds a small response whole (one write): its failure can still become a 502.
        const length = mode === 'close-mid-body' ? 100_000 : 1000;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n${'b'.repeat(100)}`);
        this.#destroySoon();
        return false;
      }
      case 'close-mid-chunk':
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n01234');
        this.#destroySoon();
        return false;
      case 'stream':
        this.#stream();
        return false;
      case 'ws':
      case 'ws-close':
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        );
        if (mode === 'ws-close') {
          socket.write('hi');
          this.#destroySoon();
        }
        this.#dropping = mode === 'ws-close';
        return false;
      default:
        this.#answer(404, 'unknown mode');
        return false;
    }
  }

  #answer(status: number, text: string): void {
    this.#socket.write(`HTTP/1.1 ${status} X\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
  }

  /** After the bytes written so far have left: a reset, not a FIN. */
  #destroySoon(): void {
    this.#dropping = true;
    setTimeout(() => this.#socket.resetAndDestroy(), 50);
  }

  #stream(): void {
    const socket = this.#socket;
    this.#dropping = true;
    socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    let sent = 0;
    this.#timer = setInterval(() => {
      if (socket.destroyed || ++sent > STREAM_PIECES) {
        if (this.#timer !== null) clearInterval(this.#timer);
        if (!socket.destroyed) socket.end('0\r\n\r\n');
        return;
      }
      socket.write(`${STREAM_PIECE.length.toString(16)}\r\n`);
      socket.write(STREAM_PIECE);
      socket.write('\r\n');
    }, 50);
  }
}

/** Starts the upstream on 127.0.0.1:0. */
export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const sockets = new Set<Socket>();
  const server: Server = createServer();
  const upstream: ScriptedUpstream = {
    port: 0,
    requests: new Map(),
    closes: new Map(),
    heads: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      if (server.listening) {
        server.close();
        await once(server, 'close');
      }
    },
  };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new UpstreamConnection(socket, upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  Object.assign(upstream, { port: (server.address() as AddressInfo).port });
  return upstream;
}
