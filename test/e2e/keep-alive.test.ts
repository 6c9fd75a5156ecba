// End-to-end: persistent connections over raw sockets: keep-alive rules, pipelining order, HEAD, 100-continue, idle timeout.
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningServer, start } from '../../src/index.js';
import { createRecordingLogger } from '../support/recording-logger.js';

/** How long a test waits for bytes or a close before it fails (a guard, not a speed check). */
const WAIT_MS = 20_000;

/** More than the kernel takes in one write on loopback: the close waits for the last of it. */
const BIG_BODY = 'x'.repeat(4 * 1024 * 1024);

/** Error-log lines, kept to check that clients going away are not logged as server failures. */
const { logger, errorLines } = createRecordingLogger();

let server: RunningServer | null = null;
let port = 0;
const sockets = new Set<Socket>();

before(async () => {
  server = await start(
    {
      sites: [
        {
          listen: ['127.0.0.1:0'],
          routes: [
            { path: '/', respond: { body: 'ok' } },
            { path: '/echo', echo: {} },
            { path: '/big', respond: { body: BIG_BODY } },
          ],
        },
      ],
      timeouts: { header: '1s', idle: '1s' },
      log: { level: 'error', access: 'off' },
    },
    { logger },
  );
  port = (server.addresses[0] as { port: number }).port;
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await server?.stop();
});

interface Reply {
  readonly status: number;
  readonly head: string;
  /** Lower-case field name to value (the last one when repeated). */
  readonly fields: ReadonlyMap<string, string>;
  readonly body: string;
}

/** A raw connection that reads responses one at a time, framing them by their own fields. */
class RawClient {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  static open(): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        resolve(new RawClient(socket));
      });
      sockets.add(socket);
      socket.once('error', reject);
      socket.once('close', () => sockets.delete(socket));
    });
  }

  get closed(): boolean {
    return this.#ended;
  }

  write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  /** Reads one response; `bodyless` for the answer to a HEAD. */
  async read(bodyless = false): Promise<Reply> {
    const headEnd = await this.#until(() => this.#buffer.indexOf('\r\n\r\n'));
    const head = this.#buffer.toString('latin1', 0, headEnd + 4);
    const fields = new Map<string, string>();
    for (const line of head.split('\r\n').slice(1, -2)) {
      const colon = line.indexOf(':');
      fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const status = Number(head.slice(9, 12));
    this.#buffer = this.#buffer.subarray(headEnd + 4);
    let body = '';
    if (!bodyless && status >= 200 && status !== 204 && status !== 304) {
      const length = fields.get('content-length');
      if (length !== undefined) {
        body = await this.#take(Number(length));
      } else if (fields.get('transfer-encoding') === 'chunked') {
        body = await this.#readChunked();
      } else {
        await this.#until(() => (this.#ended ? 0 : -1));
        body = await this.#take(this.#buffer.length);
      }
    }
    return { status, head, fields, body };
  }

  /** Resolves when the server closed the connection; fails after WAIT_MS. */
  async waitClosed(): Promise<void> {
    await this.#until(() => (this.#ended ? 0 : -1));
  }

  /** Bytes received and not read as a response yet. */
  get unread(): string {
    return this.#buffer.toString('latin1');
  }

  async #readChunked(): Promise<string> {
    let body = '';
    for (;;) {
      const lineEnd = await this.#until(() => this.#buffer.indexOf('\r\n'));
      const size = parseInt(this.#buffer.toString('latin1', 0, lineEnd), 16);
      this.#buffer = this.#buffer.subarray(lineEnd + 2);
      if (size === 0) {
        await this.#take(2);
        return body;
      }
      body += await this.#take(size);
      await this.#take(2);
    }
  }

  async #take(length: number): Promise<string> {
    await this.#until(() => (this.#buffer.length >= length ? 0 : -1));
    const text = this.#buffer.toString('latin1', 0, length);
    this.#buffer = this.#buffer.subarray(length);
    return text;
  }

  /** Waits until `found` returns an index >= 0 (rechecked on each read); fails on close or WAIT_MS. */
  async #until(found: () => number): Promise<number> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const at = found();
      if (at >= 0) return at;
      if (this.#ended) throw new Error(`connection closed; unread ${JSON.stringify(this.unread)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; unread ${JSON.stringify(this.unread)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }
}

const H = 'Host: h\r\n';

describe('keep-alive and pipelining', () => {
  it('serves several requests one after another on one connection', async () => {
    const client = await RawClient.open();
    for (let i = 0; i < 5; i++) {
      client.write(`GET /echo/seq/${i} HTTP/1.1\r\n${H}\r\n`);
      const reply = await client.read();
      assert.equal(reply.status, 200);
      assert.notEqual(reply.fields.get('connection'), 'close');
      assert.ok(reply.body.startsWith(`GET /echo/seq/${i} HTTP/1.1\r\n`), reply.body);
    }
    client.write(`POST /echo/post HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`);
    const post = await client.read();
    assert.ok(post.body.endsWith('\r\n\r\nhello'), post.body);
    client.write(`PUT /echo/chunked HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`);
    client.write('3\r\nabc\r\n');
    client.write('0\r\n\r\n');
    const put = await client.read();
    assert.ok(put.body.endsWith('\r\n\r\nabc'), put.body);
    assert.equal(client.closed, false);
    client.socket.destroy();
  });

  it('HTTP/1.1 Connection: close is honoured', async () => {
    const client = await RawClient.open();
    client.write(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    const reply = await client.read();
    assert.equal(reply.status, 200);
    assert.equal(reply.fields.get('connection'), 'close');
    assert.equal(reply.body, 'ok');
    await client.waitClosed();
  });

  it('after a Connection: close response the socket is closed, not held for the client', async () => {
    // The client keeps its side open: a server still lingering would read and drop more bytes;
    // one that has closed answers them with a reset.
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    sockets.add(socket);
    try {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      const reset = new Promise<string>((resolve) => {
        socket.on('error', (error: NodeJS.ErrnoException) => {
          resolve(error.code ?? 'error');
        });
      });
      await new Promise<void>((resolve) =>
        socket.once('end', resolve).write(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`),
      );
      assert.match(received, /^HTTP\/1\.1 200 [^]*\r\n\r\nok$/);
      // Well inside the 2 s a lingering close would keep reading.
      const writes = setInterval(() => socket.write('x'), 50);
      try {
        const code = await Promise.race([reset, sleep(1500).then(() => 'no reset')]);
        assert.ok(code === 'ECONNRESET' || code === 'EPIPE', code);
      } finally {
        clearInterval(writes);
      }
    } finally {
      socket.destroy();
    }
  });

  it('a Connection: close answer too big for one write arrives whole before a clean close', async () => {
    // The client reads nothing at first, so the answer cannot all go out at once: the server must
    // wait for the last byte to leave before it closes, and then close with a FIN, not a reset.
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.add(socket);
    try {
      socket.pause();
      let length = 0;
      let error: Error | null = null;
      socket.on('data', (chunk: Buffer) => (length += chunk.length));
      socket.on('error', (e: Error) => (error = e));
      const ended = new Promise<void>((resolve) => socket.once('end', resolve));
      socket.write(`GET /big HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
      await sleep(300);
      socket.resume();
      await Promise.race([ended, sleep(WAIT_MS).then(() => assert.fail('no FIN'))]);
      assert.equal(error, null);
      assert.ok(length > BIG_BODY.length, `${length} bytes`);
    } finally {
      socket.destroy();
    }
  });

  it('bytes pipelined behind a Connection: close request are dropped, the answer arrives whole', async () => {
    const socket = connect(port, '127.0.0.1');
    sockets.add(socket);
    try {
      let received = '';
      let error: Error | null = null;
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('error', (e: Error) => (error = e));
      const closed = new Promise<void>((resolve) =>
        socket.once('close', () => {
          resolve();
        }),
      );
      socket.write(
        `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\nGET /echo/never HTTP/1.1\r\n${H}\r\n`,
      );
      await Promise.race([closed, sleep(WAIT_MS)]);
      assert.equal(error, null);
      assert.match(received, /^HTTP\/1\.1 200 [^]*\r\n\r\nok$/);
      assert.match(received, /\r\nconnection: close\r\n/i);
    } finally {
      socket.destroy();
    }
  });

  it('HTTP/1.0 closes after the response unless keep-alive is asked', async () => {
    const client = await RawClient.open();
    client.write('GET / HTTP/1.0\r\n\r\n');
    const reply = await client.read();
    assert.equal(reply.status, 200);
    assert.match(reply.head, /^HTTP\/1\.[01] 200 /);
    assert.equal(reply.fields.get('connection'), 'close');
    await client.waitClosed();
  });

  it('HTTP/1.0 with Connection: keep-alive stays open', async () => {
    const client = await RawClient.open();
    client.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const first = await client.read();
    assert.equal(first.fields.get('connection')?.toLowerCase(), 'keep-alive');
    assert.equal(first.body, 'ok');
    client.write('GET /echo/again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const second = await client.read();
    assert.ok(second.body.startsWith('GET /echo/again HTTP/1.0\r\n'), second.body);
    client.write('GET / HTTP/1.0\r\n\r\n');
    const third = await client.read();
    assert.equal(third.fields.get('connection'), 'close');
    await client.waitClosed();
  });

  it('answers 16 pipelined requests in order', async () => {
    const client = await RawClient.open();
    let batch = '';
    for (let i = 1; i <= 16; i++) {
      // Mixed methods and framings, all in one write.
      if (i % 4 === 0)
        batch += `POST /echo/p${i} HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nb${i % 10}!`;
      else if (i % 5 === 0) batch += `HEAD /echo/p${i} HTTP/1.1\r\n${H}\r\n`;
      else batch += `GET /echo/p${i} HTTP/1.1\r\n${H}\r\n`;
    }
    batch += `GET /echo/last HTTP/1.1\r\n${H}Connection: close\r\n\r\n`;
    client.write(batch);
    for (let i = 1; i <= 16; i++) {
      const head = i % 5 === 0 && i % 4 !== 0;
      const reply = await client.read(head);
      assert.equal(reply.status, 200, `response ${i}`);
      if (head) assert.equal(reply.body, '');
      else assert.match(reply.body, new RegExp(`^[A-Z]+ /echo/p${i} HTTP/1\\.1\\r\\n`));
      if (i % 4 === 0) assert.ok(reply.body.endsWith(`b${i % 10}!`), reply.body);
    }
    const last = await client.read();
    assert.ok(last.body.startsWith('GET /echo/last '), last.body);
    await client.waitClosed();
    assert.equal(client.unread, '');
  });

  it('skips a body the handler does not read and serves the next request', async () => {
    const client = await RawClient.open();
    // The respond route answers without reading; the body must not be taken for a request.
    const body = `GET /echo/smuggled HTTP/1.1\r\n${H}\r\n`;
    client.write(`POST / HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n\r\n${body}`);
    client.write(`POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`);
    client.write(`${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    client.write(`GET /echo/next HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.equal((await client.read()).body, 'ok');
    assert.equal((await client.read()).body, 'ok');
    const next = await client.read();
    assert.ok(next.body.startsWith('GET /echo/next '), next.body);
    await client.waitClosed();
    assert.equal(client.unread, '');
  });

  it('HEAD gets the GET headers and no body', async () => {
    const client = await RawClient.open();
    client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
    const get = await client.read();
    client.write(`HEAD / HTTP/1.1\r\n${H}\r\n`);
    const head = await client.read(true);
    assert.equal(head.status, 200);
    assert.equal(head.fields.get('content-length'), get.fields.get('content-length'));
    assert.equal(head.fields.get('content-type'), get.fields.get('content-type'));
    // No body bytes may follow: the next response must start right after the head.
    client.write(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    const next = await client.read();
    assert.equal(next.status, 200);
    assert.equal(next.body, 'ok');
    await client.waitClosed();
    assert.equal(client.unread, '');
  });

  it('Expect: 100-continue gets 100 Continue before the final response', async () => {
    const client = await RawClient.open();
    client.write(
      `POST /echo/upload HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\n`,
    );
    const interim = await client.read();
    assert.equal(interim.status, 100);
    assert.match(interim.head, /^HTTP\/1\.1 100 Continue\r\n/);
    client.write('hello');
    const reply = await client.read();
    assert.equal(reply.status, 200);
    assert.ok(reply.body.endsWith('\r\n\r\nhello'), reply.body);
    // The connection stays usable.
    client.write(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.equal((await client.read()).body, 'ok');
    await client.waitClosed();
  });

  it('closes an idle keep-alive connection at the idle timeout, silently', async () => {
    const client = await RawClient.open();
    client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await client.read()).body, 'ok');
    await client.waitClosed();
    assert.equal(client.unread, '', 'an idle close sends nothing');
  });

  it('a partial head pipelined behind a request gets 408 at the header timeout', async () => {
    const client = await RawClient.open();
    client.write(`GET / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\nHo`);
    assert.equal((await client.read()).body, 'ok');
    const reply = await client.read();
    assert.equal(reply.status, 408);
    await client.waitClosed();
  });

  it('a client reset mid-request does not crash the server', async () => {
    const head = await RawClient.open();
    head.write(`GET / HTTP/1.1\r\n${H}X-Partial: abc`);
    const body = await RawClient.open();
    body.write(`POST /echo/cut HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\nonly part`);
    const pipelined = await RawClient.open();
    pipelined.write(`GET /echo/1 HTTP/1.1\r\n${H}\r\n`.repeat(8));
    await sleep(50);
    head.socket.resetAndDestroy();
    body.socket.resetAndDestroy();
    pipelined.socket.resetAndDestroy();
    await sleep(50);
    const client = await RawClient.open();
    client.write(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.equal((await client.read()).body, 'ok');
  });

  it('logs nothing at error level but clients gone mid-body', () => {
    assert.deepEqual(
      errorLines.filter((line) => !line.includes('client closed the connection')),
      [],
    );
  });

  it('logs no client gone mid-body as a handler failure', () => {
    assert.deepEqual(errorLines, []);
  });
});
