// End-to-end: malformed requests over raw sockets get the right status, Connection: close and a closed socket, and nobody else notices.
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningServer, start } from '../../src/index.js';
import { createRecordingLogger } from '../support/recording-logger.js';

/** How long a test waits for the server to close a connection before it fails. */
const CLOSE_WAIT_MS = 5000;

/** Error-log lines, kept to check that bad clients are not logged as server failures. */
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
          ],
        },
      ],
      limits: {
        max_request_line: 1024,
        max_header_size: 2048,
        max_headers: 20,
        max_body_size: 1000,
      },
      timeouts: { header: '1s' },
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

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      resolve(socket);
    });
    sockets.add(socket);
    socket.once('error', reject);
    socket.once('close', () => sockets.delete(socket));
  });
}

/** Everything the server sends until it closes the connection; fails after CLOSE_WAIT_MS. */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection; got ${JSON.stringify(text)}`));
    }, CLOSE_WAIT_MS);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    // A reset after our response counts as closed too: what matters is what came before it.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** Sends raw bytes on a new connection and returns all the server sent before closing. */
async function send(bytes: string | Buffer): Promise<string> {
  const socket = await open();
  const reply = readUntilClosed(socket);
  socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  return reply;
}

/** Checks a canned error: status line, Connection: close, a body that says the status. */
function assertRefused(reply: string, status: number): void {
  assert.match(reply, new RegExp(`^HTTP/1\\.1 ${status} [A-Za-z -]+\\r\\n`), reply);
  const head = reply.slice(0, reply.indexOf('\r\n\r\n') + 2);
  assert.match(head, /\r\nConnection: close\r\n/i, reply);
  const length = /\r\nContent-Length: (\d+)\r\n/i.exec(head);
  assert.ok(length !== null, 'no Content-Length');
  assert.equal(reply.length, head.length + 2 + Number(length[1]), 'bytes after the error body');
}

/** A well-behaved client on its own connection is still served. */
async function assertServing(): Promise<void> {
  const reply = await send('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(reply.endsWith('\r\n\r\nok'), reply);
}

const H = 'Host: h\r\n';
const long = (n: number): string => 'a'.repeat(n);

/** One bad input per class: name, bytes, expected status. */
const BAD: readonly (readonly [string, string, number])[] = [
  // Request line (RFC 9112 §3)
  ['HTTP/2.0', `GET / HTTP/2.0\r\n${H}\r\n`, 505],
  ['HTTP/1.2', `GET / HTTP/1.2\r\n${H}\r\n`, 505],
  ['garbage version', `GET / HTTX/1.1\r\n${H}\r\n`, 400],
  ['lowercase http', `GET / http/1.1\r\n${H}\r\n`, 400],
  ['no version', `GET /\r\n\r\n`, 400],
  ['two spaces', `GET  / HTTP/1.1\r\n${H}\r\n`, 400],
  ['asterisk-form with GET', `GET * HTTP/1.1\r\n${H}\r\n`, 400],
  ['absolute-form with userinfo', `GET http://u@h/ HTTP/1.1\r\n${H}\r\n`, 400],
  ['control byte in target', `GET /a\x01 HTTP/1.1\r\n${H}\r\n`, 400],
  ['request line over the limit', `GET /${long(1100)} HTTP/1.1\r\n${H}\r\n`, 414],
  ['request line that never ends', `GET /${long(1100)}`, 414],
  ['TLS handshake', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n', 400],
  ['leading bare LF', `\nGET / HTTP/1.1\r\n${H}\r\n`, 400],
  // Header fields (RFC 9112 §5, §3.2)
  ['missing Host in HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', 400],
  ['two Host fields', `GET / HTTP/1.1\r\n${H}Host: i\r\n\r\n`, 400],
  ['obs-fold', `GET / HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n`, 400],
  ['space before colon', `GET / HTTP/1.1\r\nHost : h\r\n\r\n`, 400],
  ['empty field name', `GET / HTTP/1.1\r\n${H}: v\r\n\r\n`, 400],
  ['NUL in a value', `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`, 400],
  ['CR in a value', `GET / HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`, 400],
  ['bare LF ending a field line', `GET / HTTP/1.1\r\n${H}X-A: a\nX-B: b\r\n\r\n`, 400],
  ['control byte in a value', `GET / HTTP/1.1\r\n${H}X-A: \x1b[0m\r\n\r\n`, 400],
  ['too many fields', `GET / HTTP/1.1\r\n${H}${'X-A: 1\r\n'.repeat(25)}\r\n`, 431],
  ['header section too large', `GET / HTTP/1.1\r\n${H}X-A: ${long(3000)}\r\n\r\n`, 431],
  ['field line that never ends', `GET / HTTP/1.1\r\n${H}X-A: ${long(3000)}`, 431],
  // Framing (RFC 9112 §6, RFC 9110 §8.6)
  ['Content-Length +5', `POST / HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello`, 400],
  ['Content-Length -1', `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, 400],
  ['Content-Length in hex', `POST / HTTP/1.1\r\n${H}Content-Length: 0x5\r\n\r\nhello`, 400],
  ['Content-Length with a space', `POST / HTTP/1.1\r\n${H}Content-Length: 1 2\r\n\r\n`, 400],
  [
    'two different Content-Lengths',
    `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    400,
  ],
  [
    'Content-Length with Transfer-Encoding',
    `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  ['chunked not last', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n`, 400],
  ['gzip alone', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`, 400],
  ['gzip, chunked', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n`, 501],
  ['Transfer-Encoding in HTTP/1.0', `POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n`, 400],
  ['Content-Length over the limit', `POST / HTTP/1.1\r\n${H}Content-Length: 1001\r\n\r\n`, 413],
  // Expectations (RFC 9110 §10.1.1)
  [
    'unknown expectation',
    `POST /echo HTTP/1.1\r\n${H}Expect: 200-ok\r\nContent-Length: 2\r\n\r\n`,
    417,
  ],
];

describe('bad requests', () => {
  for (const [name, bytes, status] of BAD) {
    it(`${name}: ${status}, Connection: close, closed; others still served`, async () => {
      assertRefused(await send(bytes), status);
      await assertServing();
    });
  }

  it('a bad request after a good one on the same connection: 200, then 400 and close', async () => {
    const reply = await send(`GET / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\nHost : h\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    const second = reply.indexOf('HTTP/1.1 400 ');
    assert.ok(second > 0, reply);
    assertRefused(reply.slice(second), 400);
    await assertServing();
  });

  it('a smuggled request behind CL+TE is never answered', async () => {
    const reply = await send(
      `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `0\r\n\r\nGET /echo/smuggled HTTP/1.1\r\n${H}\r\n`,
    );
    assertRefused(reply, 400);
    assert.doesNotMatch(reply, /smuggled/);
  });

  for (const [name, body] of [
    ['chunk size overflow', 'fffffffffffffffffff\r\n'],
    ['chunk data without CRLF', '5\r\nhelloX\r\n0\r\n\r\n'],
    ['chunk size line ended by a bare LF', '5\nhello\r\n0\r\n\r\n'],
    ['chunked body over the limit', `3e9\r\n${long(1001)}\r\n0\r\n\r\n`],
  ] as const) {
    it(`${name} after the response began: the connection is closed, others still served`, async () => {
      // The echo route answers as soon as the head arrives, so the error comes mid-response.
      const socket = await open();
      const reply = readUntilClosed(socket);
      socket.write(`POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`);
      await sleep(100);
      socket.write(body);
      const text = await reply;
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.doesNotMatch(text, /\r\n0\r\n\r\n$/, 'a cut body must not look complete');
      await assertServing();
    });
  }

  it('a bad chunked body sent with its head to a route that answers at once: full answer, then close', async () => {
    const reply = await send(
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 (200 OK|400 Bad Request)\r\n/, JSON.stringify(reply));
    await assertServing();
  });

  it('slowloris: a head trickled a byte every 200 ms gets 408 and is closed', async () => {
    const socket = await open();
    const reply = readUntilClosed(socket);
    const head = `GET / HTTP/1.1\r\n${H}X-Slow: ${long(40)}\r\n\r\n`;
    for (let i = 0; i < head.length && !socket.closed; i++) {
      if (socket.writable) socket.write(head[i] as string);
      await sleep(200);
    }
    const text = await reply;
    assert.ok(socket.closed, 'the connection was not closed');
    assertRefused(text, 408);
    await assertServing();
  });

  it('a client that connects and sends nothing is closed at the header timeout', async () => {
    const socket = await open();
    const text = await readUntilClosed(socket);
    // Either a 408 or a silent close is fine; staying open is not.
    if (text !== '') assertRefused(text, 408);
  });

  it('a client that resets mid-head does not disturb the server', async () => {
    const socket = await open();
    socket.write(`GET / HTTP/1.1\r\n${H}X-Partial: `);
    await sleep(50);
    socket.resetAndDestroy();
    await assertServing();
  });

  it('a keep-alive connection opened before all the bad requests still works', async () => {
    const socket = await open();
    const first = readReply(socket);
    socket.write(`GET / HTTP/1.1\r\n${H}\r\n`);
    assert.match(await first, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    for (const [, bytes] of BAD.slice(0, 6)) await send(bytes);
    const second = readReply(socket);
    socket.write(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    assert.match(await second, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    socket.destroy();
  });

  it('logs no bad client as a handler failure, and nothing else at error level', () => {
    const unexpected = errorLines.filter((line) => !line.startsWith('Handler failed'));
    assert.deepEqual(unexpected, []);
  });

  it('logs no bad chunked body as a handler failure', () => {
    assert.deepEqual(errorLines, []);
  });
});

/** Reads one response to `GET /` (its body is "ok"): up to the end of its 2-byte body. */
function readReply(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      reject(new Error(`no complete response; got ${JSON.stringify(text)}`));
    }, CLOSE_WAIT_MS);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (text.endsWith('\r\n\r\nok')) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
}
