// End to end: clients and targets that leave mid-transfer on static files, echo and TCP forwarding; porta (1 and 2 workers) lives on.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';
import { RawClient } from '../support/raw-client.js';

const BIG = 8 * 1024 * 1024;

/** A TCP target: the first bytes a client sends say what it does ("stream", "reset", else echo). */
async function startTarget(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (first: Buffer) => {
      const word = first.toString('latin1');
      if (word.startsWith('reset')) {
        socket.write('bye');
        setTimeout(() => socket.resetAndDestroy(), 50);
      } else if (word.startsWith('stream')) {
        let pieces = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || ++pieces > 200) {
            clearInterval(timer);
            socket.destroy();
            return;
          }
          socket.write(Buffer.alloc(16 * 1024, 0x73));
        }, 20);
      } else {
        socket.write(first);
        socket.pipe(socket);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

for (const workers of [1, 2]) {
  describe(`early close on static, echo and forward (${workers} worker${workers === 1 ? '' : 's'})`, () => {
    let porta: PortaProcess;
    let target: { server: Server; port: number };
    let dir: string;
    let http = 0;
    let tcp = 0;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'porta-handlers-'));
      writeFileSync(join(dir, 'big.bin'), Buffer.alloc(BIG, 0x62));
      writeFileSync(join(dir, 'small.txt'), 'small\n');
      target = await startTarget();
      const config = {
        workers,
        pid_file: join(dir, 'porta.pid'),
        log: { access: 'off' },
        limits: { max_body_size: 0 },
        sites: [
          {
            listen: ['127.0.0.1:0'],
            routes: [
              { path: '/files/', static: { root: dir } },
              { path: '/echo', echo: {} },
            ],
          },
        ],
        streams: [{ listen: ['127.0.0.1:0'], forward: { to: [`127.0.0.1:${target.port}`] } }],
      };
      writeFileSync(join(dir, 'porta.json'), JSON.stringify(config));
      porta = await spawnPorta(['run', '-c', join(dir, 'porta.json')], 20_000);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const urls = [...porta.stderr().matchAll(/listening on ((?:http|tcp):\/\/\S+)/gi)];
        const httpUrl = urls.find((m) => m[1]?.startsWith('http'));
        const tcpUrl = urls.find((m) => m[1]?.startsWith('tcp'));
        if (httpUrl?.[1] !== undefined && tcpUrl?.[1] !== undefined) {
          http = Number(new URL(httpUrl[1]).port);
          tcp = Number(new URL(tcpUrl[1].replace('tcp:', 'http:')).port);
          break;
        }
        if (Date.now() > deadline) throw new Error(`no listening lines:\n${porta.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });

    after(async () => {
      try {
        await porta.stop('SIGTERM');
      } finally {
        target.server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    async function assertAlive(): Promise<void> {
      assert.equal(porta.child.exitCode, null, porta.stderr());
      assert.doesNotMatch(porta.stderr(), /died|Unhandled|uncaught/i, porta.stderr());
      const file = await fetch(`http://127.0.0.1:${http}/files/small.txt`, {
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(await file.text(), 'small\n');
      const client = await RawClient.open(tcp);
      client.write('echo-me');
      await client.waitFor('echo-me');
      client.destroy();
    }

    it('client resets while a large file downloads', async () => {
      const client = await RawClient.open(http);
      client.write('GET /files/big.bin HTTP/1.1\r\nHost: t\r\n\r\n');
      await client.until(() => client.received > 100_000, 'part of the file');
      client.reset();
      await assertAlive();
    });

    it('client resets during a multipart range response (a stream)', async () => {
      const client = await RawClient.open(http);
      client.write(
        'GET /files/big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-3000000,4000000-7000000\r\n\r\n',
      );
      await client.until(() => client.received > 100_000, 'part of the ranges');
      assert.match(client.text, /^HTTP\/1\.1 206 /);
      client.reset();
      await assertAlive();
    });

    for (const how of ['reset', 'half-close'] as const) {
      it(`client ${how}s in the middle of a body the echo handler streams back`, async () => {
        const client = await RawClient.open(http);
        client.write(`POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: ${BIG}\r\n\r\n`);
        client.write(Buffer.alloc(200_000, 0x65));
        await client.until(() => client.received > 100_000, 'the echo');
        if (how === 'reset') client.reset();
        else client.end();
        await client.waitEnded();
        client.destroy();
        await assertAlive();
      });
    }

    it('forward: the client resets while the target streams', async () => {
      const client = await RawClient.open(tcp);
      client.write('stream');
      await client.until(() => client.received > 50_000, 'streamed bytes');
      client.reset();
      await assertAlive();
    });

    it('forward: the target resets mid-stream: the client connection closes', async () => {
      const client = await RawClient.open(tcp);
      client.write('reset');
      await client.waitEnded();
      assert.equal(client.text, 'bye');
      client.destroy();
      await assertAlive();
    });
  });
}
