// End to end: the porta process: friendly bind errors, logging lines, access log, graceful shutdown.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isListening, runPorta, spawnPorta } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';

const LOG_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (DEBUG|INFO|WARNING|ERROR) .+$/;

describe('porta process lifecycle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-cli-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which address is taken and how to pick another, without a stack trace', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runPorta(['echo', '--host', '127.0.0.1', '--port', String(port)]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
      assert.match(result.stderr, /--port/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      blocker.close();
    }
  });

  it('rejects a port that is not a number or out of range with exit code 2', async () => {
    for (const port of ['http', '70000', '-1']) {
      const result = await runPorta(['echo', '--port', port]);
      assert.equal(result.code, 2, `--port ${port}: ${result.stderr}`);
      assert.match(result.stderr, /port/i);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });

  it('says an address is not on this machine', async () => {
    const result = await runPorta(['echo', '--host', '192.0.2.1', '--port', '0']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /192\.0\.2\.1.*not an address of this machine/);
  });

  it('logs in the Python logging format, one debug line per connection, combined access lines', async () => {
    const accessPath = join(dir, 'access.log');
    const porta = await spawnPorta([
      'echo',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'debug',
      '--access-log-file',
      accessPath,
    ]);
    try {
      const response = await fetch(`${porta.url}/hello?x=1`, {
        headers: { 'user-agent': 'e2e "agent"' },
      });
      assert.equal(response.status, 200);
      await response.text();
    } finally {
      assert.equal(await porta.stop('SIGTERM'), 0);
    }
    const lines = porta.stderr().trim().split('\n');
    for (const line of lines) assert.match(line, LOG_LINE);
    assert.ok(lines.some((l) => / INFO Starting porta /.test(l)));
    assert.ok(lines.some((l) => / INFO Listening on http:\/\/127\.0\.0\.1:\d+$/.test(l)));
    assert.ok(lines.some((l) => / DEBUG Connection from 127\.0\.0\.1:\d+$/.test(l)));
    const access = readFileSync(accessPath, 'utf8');
    assert.match(
      access,
      /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/hello\?x=1 HTTP\/1\.1" 200 \d+ "-" "e2e \\x22agent\\x22"\n$/,
    );
  });

  it('writes JSON access lines when asked', async () => {
    const porta = await spawnPorta([
      'echo',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--access-log',
      'json',
    ]);
    try {
      await (await fetch(`${porta.url}/j`)).text();
    } finally {
      assert.equal(await porta.stop('SIGINT'), 0);
    }
    const line = JSON.parse(porta.stdout().trim()) as Record<string, unknown>;
    assert.equal(line.status, 200);
    assert.equal(line.method, 'GET');
  });

  it('finishes an in-flight request on SIGTERM, refuses new connections, exits 0', async () => {
    const porta = await spawnPorta([
      'echo',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--access-log',
      'off',
    ]);
    try {
      const port = Number(new URL(porta.url).port);
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      const closed = new Promise<void>((resolve) =>
        socket.on('close', () => {
          resolve();
        }),
      );
      socket.write('POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nfirst');
      // In flight once the echo streams the first half back (not after a fixed pause: a busy
      // machine may not have read it yet).
      await waitFor(() => Buffer.concat(chunks).toString().endsWith('first'));
      const exited = porta.stop('SIGTERM');
      // The listener closes on SIGTERM: a new connection is refused once the signal is handled.
      await waitFor(async () => !(await isListening(port)));
      socket.write('+last');
      await closed;
      const text = Buffer.concat(chunks).toString();
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(text.endsWith('first+last'), text);
      assert.equal(await exited, 0);
    } finally {
      await porta.stop('SIGKILL'); // at once if it has exited already
    }
  });

  it('serves the RFC 862 TCP echo with --tcp', async () => {
    const porta = await spawnPorta(['echo', '--tcp', '--host', '127.0.0.1', '--port', '0']);
    try {
      const port = Number(new URL(porta.url).port);
      const echoed = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let out = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => (out += d));
        socket.on('end', () => {
          resolve(out);
        });
        socket.on('error', reject);
        socket.end('any bytes at all\r\n\x00\xff');
      });
      assert.equal(echoed, 'any bytes at all\r\n\x00\xff');
    } finally {
      assert.equal(await porta.stop(), 0);
    }
  });
});
