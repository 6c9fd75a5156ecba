// End to end: conditional requests (304/412), byte ranges (206, multipart, 416, If-Range) and HEAD.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest } from '../support/raw-http.js';
import {
  expectedBytes,
  LARGE_BINARY_SIZE,
  makeSite,
  startStatic,
  type StaticServer,
} from './static-harness.js';

describe('static files: conditionals, ranges, HEAD', () => {
  let site: Awaited<ReturnType<typeof makeSite>>;
  let server: StaticServer;

  before(async () => {
    site = await makeSite();
    server = await startStatic({ root: site.root });
  });
  after(async () => {
    await server.stop();
    await site.remove();
  });

  async function validators(path: string): Promise<{ etag: string; lastModified: string }> {
    const response = await fetch(server.base + path);
    await response.arrayBuffer();
    return {
      etag: response.headers.get('etag') ?? '',
      lastModified: response.headers.get('last-modified') ?? '',
    };
  }

  for (const path of ['/hello.txt', '/large.bin']) {
    it(`If-None-Match / If-Modified-Since -> 304 without a body (${path})`, async () => {
      const { etag, lastModified } = await validators(path);
      const byTag = await fetch(server.base + path, { headers: { 'if-none-match': etag } });
      assert.equal(byTag.status, 304);
      assert.equal(byTag.headers.get('etag'), etag);
      assert.equal(byTag.headers.get('cache-control'), 'no-cache');
      assert.equal((await byTag.arrayBuffer()).byteLength, 0);
      const weak = await fetch(server.base + path, {
        headers: { 'if-none-match': `"other", W/${etag}` },
      });
      assert.equal(weak.status, 304, 'weak comparison for If-None-Match');
      const byDate = await fetch(server.base + path, {
        headers: { 'if-modified-since': lastModified },
      });
      assert.equal(byDate.status, 304);
      const changed = await fetch(server.base + path, {
        headers: { 'if-none-match': '"nope"', 'if-modified-since': lastModified },
      });
      assert.equal(changed.status, 200, 'If-None-Match wins over If-Modified-Since');
      await changed.arrayBuffer();
    });
  }

  it('If-Modified-Since in the past -> 200', async () => {
    const response = await fetch(`${server.base}/hello.txt`, {
      headers: { 'if-modified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });

  it('If-Match / If-Unmodified-Since failing -> 412', async () => {
    const { etag } = await validators('/hello.txt');
    const ok = await fetch(`${server.base}/hello.txt`, { headers: { 'if-match': etag } });
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
    const failed = await fetch(`${server.base}/hello.txt`, { headers: { 'if-match': '"x"' } });
    assert.equal(failed.status, 412);
    await failed.arrayBuffer();
    const old = await fetch(`${server.base}/hello.txt`, {
      headers: { 'if-unmodified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    });
    assert.equal(old.status, 412);
    await old.arrayBuffer();
  });

  it('single range from memory and from disk', async () => {
    const small = await fetch(`${server.base}/small.bin`, { headers: { range: 'bytes=10-19' } });
    assert.equal(small.status, 206);
    assert.equal(small.headers.get('content-range'), 'bytes 10-19/1000');
    assert.equal(small.headers.get('content-length'), '10');
    assert.deepEqual(Buffer.from(await small.arrayBuffer()), expectedBytes(10, 19));

    const start = 1_000_000;
    const large = await fetch(`${server.base}/large.bin`, {
      headers: { range: `bytes=${start}-${start + 99_999}` },
    });
    assert.equal(large.status, 206);
    assert.equal(
      large.headers.get('content-range'),
      `bytes ${start}-${start + 99_999}/${LARGE_BINARY_SIZE}`,
    );
    assert.deepEqual(Buffer.from(await large.arrayBuffer()), expectedBytes(start, start + 99_999));
  });

  it('open-ended and suffix ranges (Safari probes bytes=0-1)', async () => {
    const tail = await fetch(`${server.base}/large.bin`, { headers: { range: 'bytes=-500' } });
    assert.equal(tail.status, 206);
    assert.equal(
      tail.headers.get('content-range'),
      `bytes ${LARGE_BINARY_SIZE - 500}-${LARGE_BINARY_SIZE - 1}/${LARGE_BINARY_SIZE}`,
    );
    assert.deepEqual(
      Buffer.from(await tail.arrayBuffer()),
      expectedBytes(LARGE_BINARY_SIZE - 500, LARGE_BINARY_SIZE - 1),
    );
    const open = await fetch(`${server.base}/small.bin`, { headers: { range: 'bytes=990-' } });
    assert.equal(open.headers.get('content-range'), 'bytes 990-999/1000');
    assert.deepEqual(Buffer.from(await open.arrayBuffer()), expectedBytes(990, 999));
    const probe = await fetch(`${server.base}/hello.txt`, { headers: { range: 'bytes=0-1' } });
    assert.equal(probe.status, 206);
    assert.equal(await probe.text(), 'he');
  });

  for (const path of ['/small.bin', '/large.bin']) {
    it(`multiple ranges as multipart/byteranges with an exact length (${path})`, async () => {
      const response = await fetch(server.base + path, {
        headers: { range: 'bytes=500-509, 0-4' },
      });
      assert.equal(response.status, 206);
      const type = response.headers.get('content-type') ?? '';
      const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)?.[1];
      assert.ok(boundary !== undefined, type);
      const body = Buffer.from(await response.arrayBuffer());
      assert.equal(Number(response.headers.get('content-length')), body.length);
      const text = body.toString('latin1');
      const size = path === '/small.bin' ? 1000 : LARGE_BINARY_SIZE;
      const first = text.indexOf(`Content-Range: bytes 0-4/${size}\r\n\r\n`);
      const second = text.indexOf(`Content-Range: bytes 500-509/${size}\r\n\r\n`);
      assert.ok(first > 0 && second > first, 'parts sorted by offset');
      const part = (at: number, length: number): Buffer => {
        const start = text.indexOf('\r\n\r\n', at) + 4;
        return body.subarray(start, start + length);
      };
      assert.deepEqual(part(first, 5), expectedBytes(0, 4));
      assert.deepEqual(part(second, 10), expectedBytes(500, 509));
      assert.ok(text.endsWith(`--${boundary}--\r\n`));
      assert.match(text, /Content-Type: application\/octet-stream\r\n/);
    });
  }

  it('coalesces overlapping ranges into one part', async () => {
    const response = await fetch(`${server.base}/small.bin`, {
      headers: { range: 'bytes=0-9,5-19,20-29' },
    });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-range'), 'bytes 0-29/1000');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), expectedBytes(0, 29));
  });

  it('unsatisfiable ranges -> 416 with Content-Range: bytes */size', async () => {
    const response = await fetch(`${server.base}/small.bin`, { headers: { range: 'bytes=1000-' } });
    assert.equal(response.status, 416);
    assert.equal(response.headers.get('content-range'), 'bytes */1000');
    await response.arrayBuffer();
  });

  it('ignores malformed ranges and abusive range sets (200 whole file)', async () => {
    for (const range of ['bytes=abc', 'bytes=5-1', 'items=0-1']) {
      const response = await fetch(`${server.base}/small.bin`, { headers: { range } });
      assert.equal(response.status, 200, range);
      assert.equal((await response.arrayBuffer()).byteLength, 1000);
    }
    const many = 'bytes=' + Array.from({ length: 101 }, (_, i) => `${i}-${i}`).join(',');
    const response = await fetch(`${server.base}/small.bin`, { headers: { range: many } });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });

  it('If-Range: a matching ETag or date honours the range, anything else sends 200', async () => {
    const { etag, lastModified } = await validators('/small.bin');
    for (const [ifRange, status] of [
      [etag, 206],
      [lastModified, 206],
      ['"stale"', 200],
      [`W/${etag}`, 200],
      ['Sat, 01 Jan 2000 00:00:00 GMT', 200],
    ] as const) {
      const response = await fetch(`${server.base}/small.bin`, {
        headers: { range: 'bytes=0-9', 'if-range': ifRange },
      });
      assert.equal(response.status, status, ifRange);
      await response.arrayBuffer();
    }
  });

  it('a Range on a compressible file is served from the identity, never compressed', async () => {
    const response = await fetch(`${server.base}/text.txt`, {
      headers: { range: 'bytes=4-8', 'accept-encoding': 'br, gzip' },
    });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-encoding'), null);
    assert.equal(await response.text(), 'quick');
  });

  it('HEAD carries the GET headers and no body, for cached and streamed files', async () => {
    for (const path of ['/hello.txt', '/large.bin', '/missing']) {
      const get = await fetch(server.base + path);
      await get.arrayBuffer();
      const raw = await rawRequest(
        server.port,
        `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      const [head = '', body = ''] = raw.text.split('\r\n\r\n');
      assert.equal(body, '', path);
      assert.match(head, new RegExp(`^HTTP/1\\.1 ${get.status} `), path);
      const length = get.headers.get('content-length') ?? '';
      assert.match(head, new RegExp(`\\r\\nContent-Length: ${length}\\r\\n`, 'i'), path);
      if (get.status === 200) {
        assert.match(head, new RegExp(`\\r\\nETag: ${get.headers.get('etag') ?? ''}\\r\\n`, 'i'));
      }
    }
  });

  it('HEAD with a Range answers 206 with the part length', async () => {
    const raw = await rawRequest(
      server.port,
      'HEAD /large.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\nConnection: close\r\n\r\n',
    );
    assert.match(raw.text, /^HTTP\/1\.1 206 /);
    assert.match(raw.text, /\r\nContent-Length: 100\r\n/i);
    assert.ok(raw.text.endsWith('\r\n\r\n'));
  });
});
