// End to end: precompressed and on-the-fly compression, the file cache seeing edits, streaming with backpressure.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { rawRequest } from '../support/raw-http.js';
import { LARGE_BINARY_SIZE, makeSite, startStatic, type StaticServer } from './static-harness.js';

interface RawResponse {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: Buffer;
}

/** One request over a raw socket (Connection: close), the body de-chunked but never decoded. */
async function request(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const raw = await rawRequest(
    port,
    `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${lines.join('')}\r\n`,
    { waitMs: 10_000 },
  );
  const bytes = Buffer.from(raw.text, 'latin1');
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(head[0]?.split(' ')[1]);
  const map = new Map<string, string>();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    map.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  let body: Buffer = bytes.subarray(end + 4);
  if (map.get('transfer-encoding') === 'chunked') body = dechunk(body);
  return { status, headers: map, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('static files: compression', () => {
  let site: Awaited<ReturnType<typeof makeSite>>;
  let server: StaticServer;
  let plain: StaticServer;

  before(async () => {
    site = await makeSite();
    server = await startStatic({ root: site.root });
    plain = await startStatic({ root: site.root, compress: false, precompressed: false });
  });
  after(async () => {
    await Promise.all([server.stop(), plain.stop()]);
    await site.remove();
  });

  it('prefers precompressed siblings, each encoding with its own ETag, Vary on all', async () => {
    const original = await readFile(join(site.root, 'bundle.js'));
    const br = await request(server.port, '/bundle.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.deepEqual(br.body, await readFile(join(site.root, 'bundle.js.br')));
    assert.deepEqual(brotliDecompressSync(br.body), original);
    const gz = await request(server.port, '/bundle.js', { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(gunzipSync(gz.body), original);
    const identity = await request(server.port, '/bundle.js');
    assert.equal(identity.headers.get('content-encoding'), undefined);
    assert.deepEqual(identity.body, original);
    const tags = new Set([br, gz, identity].map((r) => r.headers.get('etag')));
    assert.equal(tags.size, 3, 'a distinct ETag per encoding');
    for (const response of [br, gz, identity]) {
      assert.equal(response.headers.get('vary'), 'Accept-Encoding');
      assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    }
  });

  it('ignores a precompressed sibling older than its file', async () => {
    const response = await request(server.port, '/stale.html', { 'Accept-Encoding': 'gzip' });
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    assert.match(gunzipSync(response.body).toString(), /fresh fresh/);
  });

  it('compresses a cached text file once, brotli first, and keeps its ETag stable', async () => {
    const original = await readFile(join(site.root, 'text.txt'));
    const first = await request(server.port, '/text.txt', {
      'Accept-Encoding': 'br;q=1, gzip;q=0.5',
    });
    assert.equal(first.headers.get('content-encoding'), 'br');
    assert.ok(first.body.length < original.length / 5);
    assert.deepEqual(brotliDecompressSync(first.body), original);
    assert.equal(first.headers.get('content-length'), String(first.body.length));
    const second = await request(server.port, '/text.txt', { 'Accept-Encoding': 'br' });
    assert.deepEqual(second.body, first.body);
    const etag = first.headers.get('etag') ?? '';
    assert.match(etag, /-br"$/);
    const notModified = await request(server.port, '/text.txt', {
      'Accept-Encoding': 'br',
      'If-None-Match': etag,
    });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get('vary'), 'Accept-Encoding');
  });

  it('streams a large file compressed on the fly (chunked)', async () => {
    const original = await readFile(join(site.root, 'large.txt'));
    const response = await request(server.port, '/large.txt', { 'Accept-Encoding': 'gzip' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    assert.equal(response.headers.get('transfer-encoding'), 'chunked');
    assert.deepEqual(gunzipSync(response.body), original);
  });

  it('leaves already-compressed types, tiny files and refusing clients alone', async () => {
    for (const [path, accept] of [
      ['/large.bin', 'br, gzip'],
      ['/hello.txt', 'br, gzip'],
      ['/text.txt', 'identity'],
      ['/text.txt', 'br;q=0, gzip;q=0'],
    ] as const) {
      const response = await request(server.port, path, { 'Accept-Encoding': accept });
      assert.equal(response.headers.get('content-encoding'), undefined, `${path} ${accept}`);
    }
  });

  it('compress: false and precompressed: false send the identity without Vary', async () => {
    const response = await request(plain.port, '/bundle.js', { 'Accept-Encoding': 'br, gzip' });
    assert.equal(response.headers.get('content-encoding'), undefined);
    assert.equal(response.headers.get('vary'), undefined);
  });
});

describe('static files: cache invalidation and streaming', () => {
  let site: Awaited<ReturnType<typeof makeSite>>;
  let watched: StaticServer;
  let polled: StaticServer;

  before(async () => {
    site = await makeSite();
    watched = await startStatic({ root: site.root, file_cache: { stat_ttl: '1h' } });
    polled = await startStatic({
      root: site.root,
      file_cache: { watch: false, stat_ttl: '50ms' },
    });
  });
  after(async () => {
    await Promise.all([watched.stop(), polled.stop()]);
    await site.remove();
  });

  async function text(server: StaticServer, path: string): Promise<[number, string]> {
    const response = await fetch(server.base + path);
    return [response.status, await response.text()];
  }

  /** Polls until the server shows `expected` (watch events arrive asynchronously). */
  async function eventually(
    server: StaticServer,
    path: string,
    expected: [number, string],
  ): Promise<void> {
    let last: [number, string] = [0, ''];
    for (let attempt = 0; attempt < 100; attempt++) {
      last = await text(server, path);
      if (last[0] === expected[0] && last[1] === expected[1]) return;
      await sleep(20);
    }
    assert.deepEqual(last, expected);
  }

  it('shows an edit, a deletion and a new file (watching, with a long stat TTL)', async () => {
    const file = join(site.root, 'docs', 'edit-me.txt');
    const [missing, notFoundPage] = await text(watched, '/docs/edit-me.txt');
    assert.equal(missing, 404);
    await writeFile(file, 'version 1\n');
    await eventually(watched, '/docs/edit-me.txt', [200, 'version 1\n']);
    await writeFile(file, 'version 2, longer\n');
    await eventually(watched, '/docs/edit-me.txt', [200, 'version 2, longer\n']);
    await writeFile(file, 'version 3, same size\n'.slice(0, 18));
    await eventually(watched, '/docs/edit-me.txt', [200, 'version 3, same si']);
    await rm(file);
    await eventually(watched, '/docs/edit-me.txt', [404, notFoundPage]);
  });

  it('shows an edit after the stat TTL without watching', async () => {
    const file = join(site.root, 'docs', 'poll-me.txt');
    await writeFile(file, 'first\n');
    assert.deepEqual(await text(polled, '/docs/poll-me.txt'), [200, 'first\n']);
    await writeFile(file, 'second!\n');
    await sleep(80);
    assert.deepEqual(await text(polled, '/docs/poll-me.txt'), [200, 'second!\n']);
  });

  it('sends a cached 200 KiB file (prepared head, body from memory) exactly, fresh after an edit, and survives a reset mid-body', async () => {
    const file = join(site.root, 'docs', 'cached-200k.bin');
    const size = 200 * 1024;
    const version = (seed: number): Buffer => {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 7 + seed + (i >> 9)) & 0xff;
      return bytes;
    };
    await writeFile(file, version(1));
    const path = '/docs/cached-200k.bin';
    const get = `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    // Two keep-alive GETs and a HEAD on one connection, then a close: every body byte-exact.
    const raw = await rawRequest(
      polled.port,
      get +
        get +
        `HEAD ${path} HTTP/1.1\r\nHost: x\r\n\r\n` +
        get.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'),
      { waitMs: 10_000 },
    );
    assert.ok(raw.closed);
    const bytes = Buffer.from(raw.text, 'latin1');
    let at = 0;
    for (const [method, last] of [
      ['GET', false],
      ['GET', false],
      ['HEAD', false],
      ['GET', true],
    ] as const) {
      const end = bytes.indexOf('\r\n\r\n', at);
      const head = bytes.subarray(at, end).toString('latin1');
      assert.match(head, /^HTTP\/1\.1 200 /, method);
      assert.match(head, new RegExp(`\r\nContent-Length: ${size}(\r\n|$)`, 'i'), method);
      assert.equal(/\r\nConnection: close/i.test(head), last, head);
      at = end + 4;
      if (method === 'HEAD') continue;
      assert.ok(bytes.subarray(at, at + size).equals(version(1)), `${method} body`);
      at += size;
    }
    assert.equal(at, bytes.length, 'nothing after the last response');
    // An edit of the same size shows once the stat TTL (50 ms) has passed.
    await writeFile(file, version(2));
    await sleep(80);
    const fresh = await request(polled.port, path);
    assert.equal(fresh.status, 200);
    assert.ok(fresh.body.equals(version(2)), 'fresh bytes after the edit');
    // A client that resets after the first bytes of the body takes nothing down.
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(polled.port, '127.0.0.1');
        let received = 0;
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 1000) socket.resetAndDestroy();
        });
        socket.on('error', reject);
        socket.on('close', () => {
          resolve();
        });
        socket.write(get);
      });
    }
    const after = await request(polled.port, path);
    assert.equal(after.status, 200);
    assert.ok(after.body.equals(version(2)));
  });

  it('streams a large file to a slow reader in full, and a dropped download leaks no fd', async () => {
    const baseline = openFds();
    const received = await new Promise<number>((resolve, reject) => {
      const socket = connect(watched.port, '127.0.0.1');
      let bytes = 0;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Read slowly: pause a little after each chunk so the server meets backpressure.
        socket.pause();
        setTimeout(() => {
          socket.resume();
        }, 1);
      });
      socket.on('end', () => {
        resolve(bytes);
      });
      socket.on('error', reject);
      socket.write('GET /large.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    assert.ok(received > LARGE_BINARY_SIZE, `${received} bytes`);

    await new Promise<void>((resolve) => {
      const socket = connect(watched.port, '127.0.0.1');
      let bytes = 0;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > 100_000) socket.destroy();
      });
      socket.on('close', () => {
        resolve();
      });
      socket.write('GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    let fds = openFds();
    for (let attempt = 0; attempt < 50 && fds > baseline; attempt++) {
      await sleep(20);
      fds = openFds();
    }
    assert.ok(fds <= baseline, `open fds ${fds} > ${baseline}`);
    const after = await fetch(`${watched.base}/hello.txt`);
    assert.equal(await after.text(), 'hello\n');
  });
});
