// End to end: `porta echo` over real sockets: text and JSON echoes, 100-continue, a 1 GiB streamed upload.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';
import { rawRequest } from '../support/raw-http.js';

/** Peak resident memory of a process in MiB (VmHWM), from /proc. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match === null ? Number.NaN : Number(match[1]) / 1024;
}

describe('porta echo (HTTP)', () => {
  let porta: PortaProcess;
  let port = 0;

  before(async () => {
    porta = await spawnPorta(['echo', '--port', '0', '--host', '127.0.0.1', '--access-log', 'off']);
    port = Number(new URL(porta.url).port);
  });

  after(async () => {
    await porta.stop();
  });

  it('returns the request as text: request line, headers in order, body', async () => {
    const raw = await rawRequest(
      port,
      'POST /path?q=1 HTTP/1.1\r\nHost: h\r\nX-B: 2\r\nx-a: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    );
    const body = raw.text.slice(raw.text.indexOf('\r\n\r\n') + 4);
    assert.equal(
      body,
      'POST /path?q=1 HTTP/1.1\r\nHost: h\r\nX-B: 2\r\nx-a: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    );
    assert.match(raw.text, /X-Client-Address: 127\.0\.0\.1:\d+\r\n/);
  });

  it('returns JSON when the client asks for it', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/j?x=y`, {
      method: 'PUT',
      headers: { accept: 'application/json', 'x-test': 'a "quoted" value' },
      body: 'ünïcode "body"\n',
    });
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    const echoed = (await response.json()) as {
      method: string;
      target: string;
      query: string;
      version: string;
      headers: [string, string][];
      body: string;
      client: { address: string; port: number };
    };
    assert.equal(echoed.method, 'PUT');
    assert.equal(echoed.target, '/j?x=y');
    assert.equal(echoed.query, '?x=y');
    assert.equal(echoed.version, 'HTTP/1.1');
    assert.equal(echoed.body, 'ünïcode "body"\n');
    assert.equal(echoed.client.address, '127.0.0.1');
    assert.ok(echoed.headers.some(([n, v]) => n === 'x-test' && v === 'a "quoted" value'));
  });

  it('sends 100 Continue before reading a body the client holds back', async () => {
    const raw = await rawRequest(
      port,
      [
        'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      ],
      { waitMs: 500 },
    );
    assert.match(raw.text, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
  });

  it('echoes a chunked upload back chunked', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('one,'));
          controller.enqueue(new TextEncoder().encode('two'));
          controller.close();
        },
      }),
      duplex: 'half',
    });
    const text = await response.text();
    assert.match(text, /transfer-encoding: chunked\r\n(?:.*\r\n)*\r\none,two$/i);
  });

  it('streams a 1 GiB upload back without holding it in memory', async () => {
    const total = 1024 ** 3;
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    let prefix = -1;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/big',
          headers: { 'content-length': total },
        },
        (res) => {
          res.on('data', (chunk: Buffer) => {
            let data = chunk;
            if (prefix < 0) {
              // Skip the echoed head (up to the first blank line) and hash only the body.
              const end = data.indexOf('\r\n\r\n');
              prefix = end + 4;
              data = data.subarray(prefix);
            }
            receivedBytes += data.length;
            received.update(data);
          });
          res.on('end', resolve);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      let written = 0;
      const pump = (): void => {
        while (written < total) {
          written += block.length;
          sent.update(block);
          if (!req.write(block)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    assert.equal(receivedBytes, total);
    assert.equal(received.digest('hex'), sent.digest('hex'));
    const peak = peakRssMiB(porta.child.pid ?? 0);
    assert.ok(peak < 200, `porta's peak RSS was ${peak.toFixed(0)} MiB for a 1 GiB echo`);
  });
});
