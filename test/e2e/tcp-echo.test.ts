// End-to-end: the RFC 862 TCP echo service over real loopback sockets.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { parseListenAddress } from '../../src/net/listen-address.js';
import { startTcpEcho, type TcpEcho, type TcpEchoOptions } from '../../src/net/tcp-echo.js';

const running: TcpEcho[] = [];
const clients: Socket[] = [];
after(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(running.map((echo) => echo.close()));
});

/** Starts an echo service on 127.0.0.1:0, stopped after the suite whatever happens. */
async function start(options: Partial<TcpEchoOptions> = {}): Promise<number> {
  const echo = await startTcpEcho([parseListenAddress('127.0.0.1:0')], {
    maxConnections: 100,
    idleTimeoutMs: 30_000,
    ...options,
  });
  running.push(echo);
  const first = echo.addresses[0];
  assert.ok(first !== undefined);
  return first.port;
}

/** A connected client, destroyed after the suite. */
function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.on('error', reject);
    clients.push(socket);
  });
}

/** Everything the server sends until it closes its side. */
function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
  });
}

/** Resolves once the server has closed its side, by FIN ('end') or RST ('error', 'close'). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) {
      resolve();
      return;
    }
    const done = (): void => {
      resolve();
    };
    socket.once('end', done);
    socket.once('close', done);
    socket.once('error', done);
    // 'end' only comes to a flowing socket: read (and drop) whatever is left.
    socket.resume();
  });
}

/** Sends `payload` and resolves with exactly `payload.length` echoed bytes, leaving the socket open. */
function roundTrip(socket: Socket, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(payload);
  });
}

describe('TCP echo (RFC 862)', () => {
  it('echoes many concurrent clients, each exactly its own bytes', async () => {
    const port = await start();
    const results = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const payload = randomBytes(64 * 1024 + Math.floor(Math.random() * 4096));
        const socket = await client(port);
        const echoed = readAll(socket);
        // Several writes, so the echo interleaves with other clients' traffic.
        for (let offset = 0; offset < payload.length; offset += 8192) {
          socket.write(payload.subarray(offset, offset + 8192));
        }
        socket.end();
        return { payload, echoed: await echoed };
      }),
    );
    for (const { payload, echoed } of results) {
      assert.equal(echoed.length, payload.length);
      assert.ok(echoed.equals(payload));
    }
  });

  it('echoes 50 MB intact to a client that reads slowly at first (backpressure)', async () => {
    const port = await start();
    const socket = await client(port);
    const total = 50 * 1024 * 1024;
    const chunkSize = 1024 * 1024;
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    let flushedWhilePaused = 0;

    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        received.update(chunk);
        receivedBytes += chunk.length;
      });
      socket.on('end', () => {
        resolve();
      });
      socket.on('error', reject);
    });
    // Not reading at first: the echo backs up into the kernel's buffers, then into ours.
    socket.pause();

    let written = 0;
    const writer = (async () => {
      while (written < total) {
        const chunk = randomBytes(chunkSize);
        sent.update(chunk);
        written += chunk.length;
        if (!socket.write(chunk)) {
          await new Promise((resolve) => socket.once('drain', resolve));
        }
      }
      socket.end();
    })();

    // While we do not read, the server must stop reading too, so we cannot get it all out.
    await new Promise((resolve) => setTimeout(resolve, 500));
    flushedWhilePaused = socket.bytesWritten;
    assert.ok(
      flushedWhilePaused < total,
      `the server took all ${flushedWhilePaused} bytes while the client read none`,
    );
    socket.resume();

    await writer;
    await done;
    assert.equal(receivedBytes, total);
    assert.equal(received.digest('hex'), sent.digest('hex'));
  });

  it('closes a silent connection after the idle timeout, but not a chatty one', async () => {
    // 1 s, not less: the chatty client shares this process, which a busy machine may pause
    // for a few hundred ms between two pings.
    const port = await start({ idleTimeoutMs: 1000 });
    const silent = await client(port);
    const chatty = await client(port);
    const silentClosed = closed(silent);
    let chattyClosed = false;
    void closed(chatty).then(() => (chattyClosed = true));
    // Keep the chatty one busy for well over the timeout.
    for (let i = 0; i < 25; i++) {
      await roundTrip(chatty, Buffer.from(`ping ${i}\n`));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await silentClosed;
    assert.equal(chattyClosed, false, 'an active connection must not time out');
    await closed(chatty);
  });

  it('half-close: a client that ends still gets every byte back, then our FIN', async () => {
    const port = await start();
    const socket = await client(port);
    const payload = randomBytes(8 * 1024 * 1024);
    const echoed = readAll(socket);
    socket.end(payload);
    const back = await echoed;
    assert.equal(back.length, payload.length);
    assert.ok(back.equals(payload));
    await closed(socket);
  });

  it('closes connections beyond maxConnections and keeps serving the others', async () => {
    const port = await start({ maxConnections: 2 });
    const first = await client(port);
    const second = await client(port);
    // Round trips prove both are accepted (and counted) before the third arrives.
    assert.equal((await roundTrip(first, Buffer.from('one'))).toString(), 'one');
    assert.equal((await roundTrip(second, Buffer.from('two'))).toString(), 'two');

    const extra = await client(port);
    const extraData: Buffer[] = [];
    extra.on('data', (chunk: Buffer) => extraData.push(chunk));
    extra.write('three');
    await closed(extra);
    assert.equal(Buffer.concat(extraData).length, 0, 'the extra connection got no echo');

    assert.equal((await roundTrip(first, Buffer.from('still here'))).toString(), 'still here');

    // A slot frees up when one closes: a new client gets in (the server sees the FIN a moment later).
    first.end();
    await closed(first);
    let echoedAfter = '';
    for (let attempt = 0; attempt < 50 && echoedAfter === ''; attempt++) {
      const next = await client(port);
      next.on('error', () => {
        // Refused while the server still counts the old one: try again.
      });
      const reply = await Promise.race([
        roundTrip(next, Buffer.from('four')).then((b) => b.toString()),
        closed(next).then(() => ''),
      ]);
      echoedAfter = reply;
      if (reply === '') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(echoedAfter, 'four');
  });

  it('close() stops accepting and ends open connections, even ones that do not read', async () => {
    const echo = await startTcpEcho([parseListenAddress('127.0.0.1:0')], {
      maxConnections: 10,
      idleTimeoutMs: 30_000,
      closeGraceMs: 200,
    });
    running.push(echo);
    const port = echo.addresses[0]?.port ?? 0;
    const polite = await client(port);
    const politeEnded = readAll(polite);
    assert.equal((await roundTrip(polite, Buffer.from('hi'))).toString(), 'hi');
    // This one never reads and keeps sending: only the deadline can close it.
    const stubborn = await client(port);
    stubborn.pause();
    stubborn.write(randomBytes(16 * 1024 * 1024));
    const stubbornClosed = closed(stubborn);

    await echo.close();
    await politeEnded; // our FIN arrived
    await stubbornClosed;
    await assert.rejects(client(port), { code: 'ECONNREFUSED' });
  });

  it('logs one debug line per connection, one on close, one per refusal', async () => {
    const lines: string[] = [];
    const logger = {
      debugEnabled: true,
      debug: (m: string) => lines.push(`DEBUG ${m}`),
      info: (m: string) => lines.push(`INFO ${m}`),
    };
    const port = await start({ logger, maxConnections: 1 });
    const socket = await client(port);
    const local = `127.0.0.1:${socket.localPort ?? 0}`;
    const echoed = readAll(socket);
    socket.end('12345');
    await echoed;
    await closed(socket);
    // A second, refused connection while a first is open: one 'refused' line.
    const holder = await client(port);
    await roundTrip(holder, Buffer.from('x'));
    const extra = await client(port);
    await closed(extra);

    const lineFor = (pattern: RegExp): string | undefined => lines.find((l) => pattern.test(l));
    assert.ok(!lines.some((l) => l.startsWith('INFO')), 'the caller announces addresses');
    assert.ok(lineFor(new RegExp(`^DEBUG Connection from ${local}$`)));
    await waitFor(() => lines.some((l) => l.startsWith(`DEBUG Connection from ${local} closed`)));
    assert.match(
      lineFor(new RegExp(`^DEBUG Connection from ${local} closed`)) ?? '',
      /: 5 bytes in, 5 bytes out, \d+\.\d{3} s$/,
    );
    await waitFor(() => lines.some((l) => / refused: 1 open already$/.test(l)));
    assert.ok(lineFor(/^DEBUG Connection from 127\.0\.0\.1:\d+ refused: 1 open already$/));
  });
});

/** Polls a condition (server-side events land a moment after the client's). */
async function waitFor(condition: () => boolean, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition() && Date.now() - start < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
