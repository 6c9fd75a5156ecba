// End to end: TCP forwarding: echo, a 100 MB transfer with checksums, half-close, idle timeout, cap, failover, PROXY protocol.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { waitFor } from '../support/wait-for.js';
import { closeAll, sleep, startPorta } from './proxy-harness.js';

const servers: Server[] = [];
const clients: Socket[] = [];
after(async () => {
  for (const client of clients) client.destroy();
  for (const server of servers) server.close();
  await closeAll();
});

/** A TCP target on 127.0.0.1:0 (half-open allowed, like a real server). */
async function target(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const echo = (socket: Socket): void => {
  socket.pipe(socket);
};

async function forward(to: string[], extra: Record<string, unknown> = {}) {
  const config = { streams: [{ listen: ['127.0.0.1:0'], forward: { to, ...extra } }] };
  const { url, logger } = await startPorta(config);
  return { port: Number(new URL(url).port), logger };
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      resolve(socket);
    });
    socket.once('error', reject);
    clients.push(socket);
  });
}

/** Porta closed its side (FIN or reset); a half-open client sees 'end' but no 'close' by itself. */
function ended(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
}

function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    socket.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
  });
}

describe('porta forward: TCP', () => {
  it('echoes through the forward and logs the connection', async () => {
    const port = await target(echo);
    const { port: front, logger } = await forward([`127.0.0.1:${port}`]);
    const socket = await client(front);
    const all = readAll(socket);
    socket.end('ping through porta');
    assert.equal((await all).toString(), 'ping through porta');
    // The line comes once both sides have closed: a moment after the client's end.
    const closedLine = new RegExp(
      `INFO Forward 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${port} via 127\\.0\\.0\\.1:${front}: 18 bytes up, 18 bytes down`,
    );
    await waitFor(() => logger.lines.some((line) => closedLine.test(line))).catch(() => undefined);
    assert.ok(
      logger.lines.some((line) => closedLine.test(line)),
      logger.lines.join('\n'),
    );
  });

  it('moves 100 MB each way intact (sha256) with backpressure', async () => {
    const port = await target(echo);
    const { port: front } = await forward([`127.0.0.1:${port}`]);
    const socket = await client(front);
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    socket.on('data', (chunk: Buffer) => {
      received.update(chunk);
      receivedBytes += chunk.length;
    });
    const done = once(socket, 'end');
    const block = randomBytes(1024 * 1024);
    for (let i = 0; i < 100; i++) {
      block[0] = i; // every megabyte different
      sent.update(block);
      if (!socket.write(block)) await once(socket, 'drain');
    }
    socket.end();
    await done;
    assert.equal(receivedBytes, 100 * 1024 * 1024);
    assert.equal(received.digest('hex'), sent.digest('hex'));
  });

  it('half-close: a client that shuts its write side still gets the whole reply', async () => {
    // The target answers only after the client's FIN, then closes.
    const port = await target((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
      });
      socket.on('end', () => {
        setTimeout(() => socket.end(`got ${Buffer.concat(chunks).length} bytes`), 100);
      });
    });
    const { port: front } = await forward([`127.0.0.1:${port}`]);
    const socket = await client(front);
    const reply = readAll(socket);
    socket.end('x'.repeat(1000));
    assert.equal((await reply).toString(), 'got 1000 bytes');
  });

  it('idle timeout closes a silent connection', async () => {
    const port = await target(() => undefined);
    const { port: front, logger } = await forward([`127.0.0.1:${port}`], { idle_timeout: '300ms' });
    const socket = await client(front);
    socket.resume();
    const started = Date.now();
    await ended(socket);
    assert.ok(Date.now() - started >= 250);
    await waitFor(() => logger.lines.some((line) => line.includes('(idle timeout)'))).catch(
      () => undefined,
    );
    assert.ok(
      logger.lines.some((line) => line.includes('(idle timeout)')),
      logger.lines.join('\n'),
    );
  });

  it('the connection cap refuses extra connections', async () => {
    const port = await target(echo);
    const { port: front } = await forward([`127.0.0.1:${port}`], { max_connections: 1 });
    const first = await client(front);
    first.write('a');
    await once(first, 'data');
    const second = await client(front);
    second.on('error', () => undefined);
    second.resume();
    await ended(second);
    first.write('b');
    assert.equal(((await once(first, 'data')) as [Buffer])[0].toString(), 'b');
  });

  it('a dead target is skipped: the next one takes the connection', async () => {
    const dead = await target(() => undefined);
    servers[servers.length - 1]?.close();
    await sleep(20);
    const live = await target(echo);
    const { port: front, logger } = await forward([`127.0.0.1:${dead}`, `127.0.0.1:${live}`], {
      balance: 'first',
    });
    const socket = await client(front);
    const all = readAll(socket);
    socket.end('still here');
    assert.equal((await all).toString(), 'still here');
    assert.ok(logger.lines.some((line) => line.includes(`127.0.0.1:${dead}: connect failed`)));
  });

  for (const version of ['v1', 'v2'] as const) {
    it(`sends a PROXY protocol ${version} header with the client's address first`, async () => {
      let header: Buffer | null = null;
      const port = await target((socket) => {
        socket.once('data', (chunk: Buffer) => {
          header = chunk;
          socket.end('ok');
        });
      });
      const { port: front } = await forward([`127.0.0.1:${port}`], { proxy_protocol: version });
      const socket = await client(front);
      const all = readAll(socket);
      socket.write('payload');
      await all;
      const bytes = header as unknown as Buffer;
      if (version === 'v1') {
        assert.equal(
          bytes.toString('latin1'),
          `PROXY TCP4 127.0.0.1 127.0.0.1 ${socket.localPort} ${front}\r\npayload`,
        );
      } else {
        assert.deepEqual(
          [...bytes.subarray(0, 12)],
          [13, 10, 13, 10, 0, 13, 10, 81, 85, 73, 84, 10],
        );
        assert.equal(bytes[12], 0x21);
        assert.equal(bytes[13], 0x11);
        assert.equal(bytes.readUInt16BE(14), 12);
        assert.deepEqual([...bytes.subarray(16, 24)], [127, 0, 0, 1, 127, 0, 0, 1]);
        assert.equal(bytes.readUInt16BE(24), socket.localPort);
        assert.equal(bytes.readUInt16BE(26), front);
        assert.equal(bytes.subarray(28).toString(), 'payload');
      }
    });
  }
});
