// End to end: `porta echo` over real sockets: text and JSON echoes, 100-continue, a 1 GiB streamed upload.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';
import { RawClient } from '../support/raw-client.js';
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
      body_encoding: string;
      client: { address: string; port: number };
    };
    assert.equal(echoed.method, 'PUT');
    assert.equal(echoed.target, '/j?x=y');
    assert.equal(echoed.query, '?x=y');
    assert.equal(echoed.version, 'HTTP/1.1');
    assert.equal(echoed.body, 'ünïcode "body"\n');
    assert.equal(echoed.body_encoding, 'utf-8');
    assert.equal(echoed.client.address, '127.0.0.1');
    assert.ok(echoed.headers.some(([n, v]) => n === 'x-test' && v === 'a "quoted" value'));
  });

  it('returns the head and body byte for byte: obs-text, spacing, case, a head split over reads', async () => {
    const head = Buffer.from(
      'PUT /b?x=1 HTTP/1.1\r\nhost: h\r\nX-Latin1:  caf\xe9  \r\nX-Tab:\tb\r\nX-Utf8: \xc3\xbc\r\n' +
        'Content-Length: 6\r\nConnection: close\r\n\r\n',
      'latin1',
    );
    const body = Buffer.from([0x00, 0xff, 0x80, 0xe9, 0x0d, 0x0a]);
    // Three writes with pauses: the head reaches the parser in several reads.
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        resolve(Buffer.concat(chunks));
      });
      socket.write(head.subarray(0, 30));
      setTimeout(() => socket.write(head.subarray(30, 50)), 50);
      setTimeout(() => socket.write(Buffer.concat([head.subarray(50), body])), 100);
    });
    const split = reply.indexOf('\r\n\r\n');
    const responseHead = reply.subarray(0, split).toString('latin1');
    assert.match(responseHead, /^HTTP\/1\.1 200 /);
    // The bytes as sent are not UTF-8: no charset is claimed for them.
    assert.match(responseHead, /\r\nContent-Type: text\/plain\r\n/);
    assert.deepEqual(reply.subarray(split + 4), Buffer.concat([head, body]));
  });

  it('says in JSON how it encoded what is not UTF-8: base64 header values and bodies', async () => {
    const head =
      'POST / HTTP/1.1\r\nHost: h\r\nAccept: application/json\r\nX-Latin1: caf\xe9\r\n' +
      'X-Utf8: \xc3\xbc\r\nContent-Length: 4\r\nConnection: close\r\n\r\n';
    const raw = await rawRequest(port, [Buffer.from(head, 'latin1'), Buffer.from([0, 0xff, 1, 2])]);
    const echoed = JSON.parse(
      Buffer.from(raw.text.slice(raw.text.indexOf('\r\n\r\n') + 4), 'latin1').toString('utf8'),
    ) as { headers: string[][]; body: string; body_encoding: string };
    assert.deepEqual(
      echoed.headers.find(([name]) => name === 'X-Latin1'),
      ['X-Latin1', Buffer.from('caf\xe9', 'latin1').toString('base64'), 'base64'],
    );
    assert.deepEqual(
      echoed.headers.find(([name]) => name === 'X-Utf8'),
      ['X-Utf8', 'ü'],
    );
    assert.equal(echoed.body_encoding, 'base64');
    assert.deepEqual(Buffer.from(echoed.body, 'base64'), Buffer.from([0, 0xff, 1, 2]));
  });

  it('streams a JSON echo of a body over 1 MiB as base64', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024 + 1);
    for (let i = 0; i < body.length; i++) body[i] = (i * 131 + 17) & 0xff;
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body,
    });
    assert.equal(response.headers.get('transfer-encoding'), 'chunked');
    const echoed = (await response.json()) as { body: string; body_encoding: string };
    assert.equal(echoed.body_encoding, 'base64');
    assert.ok(Buffer.from(echoed.body, 'base64').equals(body));
  });

  it('sends 100 Continue before reading a body the client holds back', async () => {
    // The body never comes: wait for the interim answer (not a fixed time a busy machine may take).
    const client = await RawClient.open(port);
    try {
      client.write(
        'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      );
      await client.waitFor('\r\n\r\n');
      assert.match(client.text, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    } finally {
      client.destroy();
    }
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
