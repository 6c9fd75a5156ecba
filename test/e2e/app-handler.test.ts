// End to end: the `app` handler runs a fetch-handler module in 1 and 2 workers: Request and
// Response mapping, streaming both ways with backpressure, 500/504/413, the client leaving.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';
import { RawClient } from '../support/raw-client.js';

const PROBE = fileURLToPath(new URL('../fixtures/apps/probe-app.ts', import.meta.url));

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts `porta run` on a config mounting the probe app at / and at /limited (1 KiB bodies). */
async function startProbe(dir: string, workers: number): Promise<PortaProcess> {
  const config = join(dir, `porta-${workers}.yaml`);
  writeFileSync(
    config,
    [
      `workers: ${workers}`,
      'limits: { max_body_size: 64m }',
      'sites:',
      '  - listen: ["127.0.0.1:0"]',
      '    routes:',
      '      - path: /',
      `        app: { module: ${JSON.stringify(PROBE)}, timeout: 500ms }`,
      '      - path: /limited',
      `        app: { module: ${JSON.stringify(PROBE)} }`,
      '        max_body_size: 1k',
      '',
    ].join('\n'),
  );
  const porta = await spawnPorta(['run', '-c', config, '--access-log', 'off'], 60_000);
  await waitFor(() => porta.stderr().includes(`(${workers} worker`), 'all workers');
  return porta;
}

for (const workers of [1, 2]) {
  describe(`app handler (${workers} worker${workers === 1 ? '' : 's'})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-app-'));
    let porta: PortaProcess;
    before(async () => {
      porta = await startProbe(dir, workers);
    });
    after(async () => {
      try {
        await porta.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('gives the app a Request: method, real URL, headers, client address', async () => {
      const response = await fetch(`${porta.url}/info?q=1`, { headers: { 'X-Custom': 'v' } });
      assert.equal(response.status, 200);
      const info = (await response.json()) as Record<string, unknown>;
      const { port } = new URL(porta.url);
      assert.equal(info.method, 'GET');
      assert.equal(info.url, `http://127.0.0.1:${port}/info?q=1`);
      assert.equal(info.host, `127.0.0.1:${port}`);
      assert.equal(info.custom, 'v');
      assert.equal(info.isRequest, true);
      assert.equal(info.ip, '127.0.0.1');
      assert.deepEqual(
        { ...(info.socket as object), remotePort: 0 },
        { remoteAddress: '127.0.0.1', remotePort: 0, remoteFamily: 'IPv4', encrypted: false },
      );
    });

    it('sends string, bytes and null bodies, each Set-Cookie on its own', async () => {
      const cookies = await fetch(`${porta.url}/cookies`);
      assert.equal(cookies.status, 201);
      assert.deepEqual(cookies.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly']);
      assert.equal(cookies.headers.get('content-length'), '11');
      assert.equal(await cookies.text(), 'two cookies');
      const bytes = await fetch(`${porta.url}/bytes`);
      assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [0, 1, 2, 253, 254, 255]);
      assert.equal(bytes.headers.get('content-length'), '6');
      const empty = await fetch(`${porta.url}/empty`);
      assert.equal(empty.status, 204);
      assert.equal(empty.headers.get('x-empty'), 'yes');
      assert.equal(await empty.text(), '');
    });

    it('streams a ReadableStream body chunked, and a request body back as it comes', async () => {
      const slow = await fetch(`${porta.url}/slow-stream`);
      assert.equal(slow.headers.get('transfer-encoding'), 'chunked');
      assert.equal(await slow.text(), 'part 1\npart 2\npart 3\npart 4\n');
      const payload = Buffer.alloc(3 * 1024 * 1024, 'abcdefgh');
      const echoed = await fetch(`${porta.url}/echo`, { method: 'POST', body: payload });
      assert.equal(echoed.status, 200);
      assert.ok(Buffer.from(await echoed.arrayBuffer()).equals(payload));
      // A chunked upload (no Content-Length) streams too.
      const parts = ['one,', 'two,', 'three'];
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const part = parts.shift();
          if (part === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(part));
        },
      });
      const chunked = await fetch(`${porta.url}/echo`, {
        method: 'POST',
        body: stream,
        duplex: 'half',
      });
      assert.equal(await chunked.text(), 'one,two,three');
    });

    it('answers 500 for a throw, a rejection or a non-Response, logs with the route, keeps serving', async () => {
      for (const path of ['/throw', '/reject', '/not-a-response']) {
        const response = await fetch(`${porta.url}${path}`);
        assert.equal(response.status, 500, path);
        const text = await response.text();
        assert.doesNotMatch(text, /secret|at handle|probe-app/, path);
      }
      await waitFor(
        () =>
          /ERROR App failed on site 0 route 0 \(\/\) for GET \/throw: Error: probe secret/.test(
            porta.stderr(),
          ),
        'the error line',
      );
      assert.match(porta.stderr(), /probe-app\.ts/); // the stack is in the log
      assert.match(porta.stderr(), /fetch returned object, not a Response/);
      const info = await fetch(`${porta.url}/info`);
      assert.equal(info.status, 200);
      await info.text();
    });

    it('answers 504 when the app takes longer than its timeout, and aborts its signal', async () => {
      const started = Date.now();
      const response = await fetch(`${porta.url}/hang`);
      assert.equal(response.status, 504);
      await response.text();
      assert.ok(Date.now() - started >= 450, 'not before the timeout');
      await waitFor(
        () => porta.stderr().includes('probe: hang signal aborted (TimeoutError)'),
        'abort',
      );
      assert.match(
        porta.stderr(),
        /App timed out after 500 ms on site 0 route 0 \(\/\) for GET \/hang/,
      );
    });

    it('aborts request.signal when the client goes away', async () => {
      const before = porta.stderr().split('probe: wait signal aborted (AbortError)').length;
      const client = await RawClient.open(Number(new URL(porta.url).port));
      // Under /limited: no 500 ms timeout there to abort the signal first.
      client.write(`GET /limited/wait?w${workers} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await waitFor(() => porta.stderr().includes(`probe: wait started ?w${workers}`), 'the app');
      client.reset(); // gone: a reset, not a half-close (which may still wait for its answer)
      await waitFor(
        () => porta.stderr().split('probe: wait signal aborted (AbortError)').length > before,
        'the abort line',
      );
      const info = await fetch(`${porta.url}/info`);
      assert.equal(info.status, 200);
      await info.text();
    });

    it("answers 413 for a body over the route's limit, declared or chunked, and keeps serving", async () => {
      const small = await fetch(`${porta.url}/limited/length`, {
        method: 'POST',
        body: 'x'.repeat(1000),
      });
      assert.equal(await small.text(), '1000');
      const declared = await fetch(`${porta.url}/limited/length`, {
        method: 'POST',
        body: 'x'.repeat(4096),
      });
      assert.equal(declared.status, 413);
      await declared.text();
      const client = await RawClient.open(Number(new URL(porta.url).port));
      try {
        const chunk = 'y'.repeat(1500);
        client.write(
          `POST /limited/length HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n` +
            `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
        );
        await client.waitFor('\r\n\r\n');
        assert.match(client.text, /^HTTP\/1\.1 413 /);
      } finally {
        client.destroy();
      }
      const info = await fetch(`${porta.url}/info`);
      assert.equal(info.status, 200);
      await info.text();
      assert.doesNotMatch(porta.stderr(), /App failed on site 0 route 1/);
    });
  });
}

describe('app handler backpressure (1 worker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-app-bp-'));
  let porta: PortaProcess;
  before(async () => {
    porta = await startProbe(dir, 1);
  });
  after(async () => {
    try {
      await porta.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pulls a response stream only as fast as the client reads', async () => {
    const socket = connect({ port: Number(new URL(porta.url).port), host: '127.0.0.1' });
    socket.on('error', () => undefined);
    try {
      await once(socket, 'connect');
      let received = 0;
      let tail = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 16))).slice(-16);
        socket.pause(); // a client that stops reading after the first bytes
      });
      socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitFor(() => received > 0, 'the first bytes');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const pulls = Number(await (await fetch(`${porta.url}/big-pulls`)).text());
      // 1025 chunks of 64 KiB would be made without backpressure; socket buffers hold a few MiB.
      assert.ok(pulls > 0 && pulls < 300, `pulled ${pulls} chunks while the client read nothing`);
      socket.removeAllListeners('data');
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 16))).slice(-16);
      });
      socket.resume();
      await waitFor(() => tail.endsWith('\r\n0\r\n\r\n'), 'the last chunk', 60_000);
      assert.ok(received > 64 * 1024 * 1024, `received ${received} bytes`);
    } finally {
      socket.destroy();
    }
  });
});
