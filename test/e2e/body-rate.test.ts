// End to end: timeouts.min_body_rate cuts a trickling upload (408, or a close once answered) and spares a steady one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

interface Outcome {
  readonly text: string;
  /** The server closed the connection (before our own deadline). */
  readonly closed: boolean;
  readonly ms: number;
}

/**
 * Sends a POST head with Content-Length: 1000, then `chunk` bytes every `everyMs` until the
 * body is complete, the server closes, or `giveUpMs` passes.
 */
function upload(port: number, path: string, chunk: number, everyMs: number, giveUpMs: number) {
  return new Promise<Outcome>((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let closed = false;
    const timer = setInterval(() => {
      if (sent >= 1000 || socket.destroyed) return;
      const n = Math.min(chunk, 1000 - sent);
      sent += n;
      socket.write('x'.repeat(n));
    }, everyMs);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('connect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n`);
    });
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      // A complete answer to a complete upload: done, no need to wait for a close.
      if (sent >= 1000 && /\r\n\r\ngot 1000$/.test(text)) socket.destroy();
    });
    socket.on('end', () => (closed = true));
    socket.on('error', () => (closed = true)); // a reset is a close too
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ text, closed, ms: Date.now() - started });
    });
  });
}

describe('timeouts.min_body_rate', () => {
  let dir = '';
  let upstream: Server;
  let porta: PortaProcess;
  let port = 0;

  before(async () => {
    // The upstream answers only once it has the whole body: until then nothing is answered.
    upstream = createServer((req, res) => {
      let length = 0;
      req.on('data', (chunk: Buffer) => (length += chunk.length));
      req.on('end', () => res.end(`got ${length}`));
      req.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'porta-body-rate-'));
    const file = join(dir, 'porta.yaml');
    writeFileSync(
      file,
      `sites:
  - listen: ["127.0.0.1:0"]
    routes:
      - path: /upload
        proxy: { to: ["http://127.0.0.1:${upstreamPort}"] }
      - respond: { body: "answered before the body\\n" }
timeouts: { min_body_rate: "100/2s" }
workers: 1
log: { access: off }
`,
    );
    porta = await spawnPorta(['run', '-c', file]);
    port = Number(new URL(porta.url).port);
  });

  after(async () => {
    try {
      assert.equal(await porta.stop('SIGTERM'), 0);
    } finally {
      await new Promise((resolve) => upstream.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 408 to an upload trickling 1 byte a second', async () => {
    const outcome = await upload(port, '/upload', 1, 1000, 20_000);
    assert.ok(outcome.closed, 'porta did not close the connection');
    assert.match(outcome.text, /^HTTP\/1\.1 408 /);
    // One 2 s window, checked every 0.5 s; far below the 60 s body timeout.
    assert.ok(outcome.ms < 10_000, `cut after ${outcome.ms} ms`);
  });

  it('closes (no second answer) when the response went out before the trickling body', async () => {
    const outcome = await upload(port, '/', 1, 1000, 20_000);
    assert.ok(outcome.closed, 'porta did not close the connection');
    assert.match(outcome.text, /^HTTP\/1\.1 200 /);
    assert.doesNotMatch(outcome.text, /408/);
    assert.ok(outcome.ms < 10_000, `cut after ${outcome.ms} ms`);
  });

  it('spares an upload of 100 bytes every 0.5 s (twice the minimum), and keeps serving', async () => {
    const outcome = await upload(port, '/upload', 100, 500, 20_000);
    assert.match(outcome.text, /^HTTP\/1\.1 200 [^]*got 1000$/);
    const response = await fetch(`${porta.url}/`);
    assert.equal(response.status, 200);
    await response.text();
  });
});
