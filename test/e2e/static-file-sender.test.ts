// End to end: large files through sendFile's slots — exact bytes at every offset, more downloads
// than big slots, slots coming back after dropped clients, and a file that shrinks mid-download.
import assert from 'node:assert/strict';
import { truncate, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bigFileSlotsInUse } from '../../src/http1/file-buffers.js';
import { rawRequest } from '../support/raw-http.js';
import {
  expectedBytes,
  LARGE_BINARY_SIZE,
  makeSite,
  startStatic,
  type StaticServer,
} from './static-harness.js';

/** Waits until no transfer holds a big slot (write callbacks of dropped sockets come late). */
async function slotsReturned(): Promise<number> {
  for (let attempt = 0; attempt < 100 && bigFileSlotsInUse() > 0; attempt++) await sleep(20);
  return bigFileSlotsInUse();
}

/** Reads a response on a raw socket, dropping the connection after `dropAfter` bytes. */
function dropDownload(port: number, path: string, dropAfter: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > dropAfter) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve(bytes);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

describe('static files: large files through sendFile', () => {
  let site: Awaited<ReturnType<typeof makeSite>>;
  let server: StaticServer;

  before(async () => {
    site = await makeSite();
    // No cache: even the small file goes through sendFile (a small slot).
    server = await startStatic({ root: site.root, file_cache: { max_file_size: 0 } });
  });
  after(async () => {
    await server.stop();
    await site.remove();
  });

  it('sends a large file byte for byte, and ranges at every page offset across slot ends', async () => {
    const whole = await fetch(`${server.base}/large.bin`);
    assert.equal(whole.status, 200);
    assert.ok(
      Buffer.from(await whole.arrayBuffer()).equals(expectedBytes(0, LARGE_BINARY_SIZE - 1)),
    );
    const mib = 1024 * 1024;
    const ranges: [number, number][] = [
      [1, mib + 1],
      [4095, 2 * mib + 4],
      [mib - 7, mib + 9],
      [12_345, LARGE_BINARY_SIZE - 1],
      [2 * mib - 1, 2 * mib + 4],
    ];
    for (const [start, end] of ranges) {
      const response = await fetch(`${server.base}/large.bin`, {
        headers: { Range: `bytes=${start}-${end}` },
      });
      assert.equal(response.status, 206, `${start}-${end}`);
      const body = Buffer.from(await response.arrayBuffer());
      assert.ok(body.equals(expectedBytes(start, end)), `bytes ${start}-${end}`);
    }
    assert.equal(await slotsReturned(), 0);
  });

  it('serves more concurrent downloads than big slots, all exact, and returns every slot', async () => {
    const expected = expectedBytes(0, LARGE_BINARY_SIZE - 1);
    const small = expectedBytes(0, 999);
    const downloads = Array.from({ length: 24 }, async (_, i) => {
      const path = i % 6 === 5 ? '/small.bin' : '/large.bin';
      const response = await fetch(`${server.base}${path}`);
      const body = Buffer.from(await response.arrayBuffer());
      return path === '/small.bin' ? body.equals(small) : body.equals(expected);
    });
    assert.deepEqual(await Promise.all(downloads), Array<boolean>(24).fill(true));
    assert.equal(await slotsReturned(), 0);
  });

  it('answers pipelined file requests whole and in order', async () => {
    const requests = [
      'GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /small.bin HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /large.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=1048000-1049000\r\n\r\n',
      'HEAD /large.bin HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /large.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ];
    const raw = await rawRequest(server.port, requests.join(''), { waitMs: 10_000 });
    assert.ok(raw.closed);
    const bytes = Buffer.from(raw.text, 'latin1');
    const bodies: [number, Buffer][] = [];
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const headEnd = bytes.indexOf('\r\n\r\n', at);
      assert.ok(headEnd > at, `response ${i} has a head`);
      const head = bytes.toString('latin1', at, headEnd);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
      const bodyLength = requests[i]?.startsWith('HEAD') ? 0 : length;
      bodies.push([
        Number(head.slice(9, 12)),
        bytes.subarray(headEnd + 4, headEnd + 4 + bodyLength),
      ]);
      at = headEnd + 4 + bodyLength;
    }
    const whole = expectedBytes(0, LARGE_BINARY_SIZE - 1);
    assert.deepEqual(
      bodies.map(([status]) => status),
      [200, 200, 206, 200, 200],
    );
    assert.ok(bodies[0]?.[1].equals(whole));
    assert.ok(bodies[1]?.[1].equals(expectedBytes(0, 999)));
    assert.ok(bodies[2]?.[1].equals(expectedBytes(1_048_000, 1_049_000)));
    assert.equal(bodies[3]?.[1].length, 0);
    assert.ok(bodies[4]?.[1].equals(whole));
  });

  it('returns the slots of dropped downloads and keeps serving', async () => {
    const dropped = await Promise.all(
      [10_000, 300_000, 1_500_000].map((at) => dropDownload(server.port, '/large.bin', at)),
    );
    for (const bytes of dropped) assert.ok(bytes < LARGE_BINARY_SIZE, `${bytes} bytes`);
    assert.equal(await slotsReturned(), 0);
    const response = await fetch(`${server.base}/large.bin`, { headers: { Range: 'bytes=0-9' } });
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(expectedBytes(0, 9)));
  });

  it('drops the connection when the file shrinks mid-download, and keeps serving', async () => {
    const file = join(site.root, 'shrinking.bin');
    // More than the socket buffers of both ends can hold (tcp_wmem 4 MiB + tcp_rmem 32 MiB at
    // most), so the sender is still reading the file when it shrinks.
    const size = 64 * 1024 * 1024;
    await writeFile(file, Buffer.alloc(size, 7));
    const received = await new Promise<number>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      let bytes = 0;
      let shrunk = false;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!shrunk) {
          // Stop reading until the file is cut short: the sender is still behind.
          shrunk = true;
          socket.pause();
          void truncate(file, 1000).then(() => socket.resume());
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        resolve(bytes);
      });
      socket.write('GET /shrinking.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.ok(received < size, `${received} bytes of ${size} promised`);
    assert.equal(await slotsReturned(), 0);
    const hello = await fetch(`${server.base}/hello.txt`);
    assert.equal(await hello.text(), 'hello\n');
  });
});

describe('static files: the send timeout during large downloads', () => {
  let site: Awaited<ReturnType<typeof makeSite>>;
  let server: StaticServer;
  const size = 64 * 1024 * 1024;

  before(async () => {
    site = await makeSite();
    // More than both socket buffers hold, so a client that stops reading blocks the sender.
    await writeFile(join(site.root, 'huge.bin'), Buffer.alloc(size, 3));
    server = await startStatic({ root: site.root }, '/', { send: '2s' });
  });
  after(async () => {
    await server.stop();
    await site.remove();
  });

  /** Downloads huge.bin, stopping to read for `pauses` (ms) after the first bytes. */
  function download(pauses: number[]): Promise<{ bytes: number; ms: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      let bytes = 0;
      const next = (): void => {
        const pause = pauses.shift();
        if (pause === undefined) return;
        socket.pause();
        setTimeout(() => {
          socket.resume();
          // Read for a moment, then take the next pause.
          setTimeout(next, 20);
        }, pause);
      };
      socket.once('data', next);
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        resolve({ bytes, ms: Date.now() - started });
      });
      socket.write('GET /huge.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
  }

  it('keeps a download whose pauses are shorter than the timeout', async () => {
    const { bytes } = await download([500, 500, 500]);
    assert.ok(bytes > size, `${bytes} bytes of ${size}`);
  });

  it('drops a client that stops reading for longer than the timeout, and keeps serving', async () => {
    // A paused socket sees the server's close only when it reads again, so the proof is the
    // count: a dropped download never gets the rest of the file after the pause.
    const { bytes } = await download([5000]);
    assert.ok(bytes < size, `${bytes} bytes of ${size}: the send timeout did not cut it`);
    assert.equal(await slotsReturned(), 0);
    const hello = await fetch(`${server.base}/hello.txt`);
    assert.equal(await hello.text(), 'hello\n');
  });
});
