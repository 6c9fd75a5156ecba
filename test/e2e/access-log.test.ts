// End to end: the access log records refused requests (400, 408, 413, 414, 431), shows IPv4 peers of dual-stack listeners as IPv4, and writes custom $variable formats.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, start } from '../../src/index.js';
import { openSession, request } from '../support/h2-client.js';
import { linesWhen } from '../support/log-file.js';
import { runPorta } from '../support/porta-process.js';
import { rawRequest } from '../support/raw-http.js';
import { createRecordingLogger } from '../support/recording-logger.js';

const WAIT_MS = 10_000;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'porta-access-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sends bytes on a new connection and waits until the server closes it. */
function sendAndWaitClose(port: number, bytes: string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, host, () => {
      socket.write(Buffer.from(bytes, 'latin1'));
    });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close; got ${JSON.stringify(text)}`));
    }, WAIT_MS);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

describe('access log of refused requests', () => {
  let server: RunningServer | null = null;
  let port = 0;
  let logPath = '';

  before(async () => {
    logPath = join(dir, 'refused.log');
    server = await start(
      {
        sites: [
          {
            listen: ['127.0.0.1:0'],
            routes: [
              { path: '/', respond: { body: 'ok' } },
              { path: '/echo', echo: {} },
            ],
          },
        ],
        limits: { max_request_line: 1024, max_header_size: 2048, max_body_size: 1000 },
        timeouts: { header: '1s', body: '1s' },
        log: { level: 'error', access: 'combined', access_path: logPath },
      },
      { logger: createRecordingLogger().logger },
    );
    port = (server.addresses[0] as { port: number }).port;
  });

  after(async () => {
    await server?.stop();
  });

  const H = 'Host: h\r\nUser-Agent: raw/1\r\n';
  const cases: readonly (readonly [string, string, number, string])[] = [
    // name, bytes, status, the logged "$request" and user agent
    ['a bad request line', 'GET /a\x01 HTTP/1.1\r\n\r\n', 400, '"-" 400 16 "-" "-"'],
    [
      'a bad field',
      `GET /b HTTP/1.1\r\n${H}X : y\r\n\r\n`,
      400,
      '"GET /b HTTP/1.1" 400 16 "-" "raw/1"',
    ],
    [
      'a request line too long',
      `GET /${'a'.repeat(1100)} HTTP/1.1\r\n\r\n`,
      414,
      '"-" 414 17 "-" "-"',
    ],
    [
      'a header section too large',
      `GET /c HTTP/1.1\r\n${H}X: ${'a'.repeat(3000)}\r\n\r\n`,
      431,
      '"GET /c HTTP/1.1" 431 36 "-" "raw/1"',
    ],
    [
      'a body over the limit',
      `POST /d HTTP/1.1\r\n${H}Content-Length: 1001\r\n\r\n`,
      413,
      '"POST /d HTTP/1.1" 413 22 "-" "raw/1"',
    ],
    [
      'a head that never ends',
      `GET /e HTTP/1.1\r\n${H}`,
      408,
      '"GET /e HTTP/1.1" 408 20 "-" "raw/1"',
    ],
    ['a request line that never ends', 'GET /f', 408, '"-" 408 20 "-" "-"'],
  ];

  for (const [name, bytes, status, logged] of cases) {
    it(`${name}: ${status}, logged with what is known`, async () => {
      const before = (await linesWhen(logPath, () => true)).length;
      const reply = await sendAndWaitClose(port, bytes);
      assert.match(reply, new RegExp(`^HTTP/1\\.1 ${status} `));
      const lines = await linesWhen(logPath, (all) => all.length > before);
      assert.equal(lines.length, before + 1, lines.join('\n'));
      const line = lines[before] as string;
      assert.match(line, /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/);
      assert.ok(line.endsWith(logged), line);
    });
  }

  // The JSON echo reads a small body whole before it answers: these errors come before any response.
  const J = 'Host: h\r\nAccept: application/json\r\n';
  const bodyCases: readonly (readonly [string, string, number, string])[] = [
    [
      'a chunked body over the limit',
      `POST /echo/c HTTP/1.1\r\n${J}Transfer-Encoding: chunked\r\n\r\n3e9\r\n${'a'.repeat(1001)}\r\n0\r\n\r\n`,
      413,
      '"POST /echo/c HTTP/1.1" 413 22 "-" "-"',
    ],
    [
      'a bad chunk',
      `POST /echo/b HTTP/1.1\r\n${J}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
      400,
      '"POST /echo/b HTTP/1.1" 400 16 "-" "-"',
    ],
    [
      'a body that stops coming',
      `POST /echo/t HTTP/1.1\r\n${J}Content-Length: 10\r\n\r\nabc`,
      408,
      '"POST /echo/t HTTP/1.1" 408 20 "-" "-"',
    ],
  ];

  for (const [name, bytes, status, logged] of bodyCases) {
    it(`${name} before the handler answered: ${status}, logged once`, async () => {
      const before = (await linesWhen(logPath, () => true)).length;
      const reply = await sendAndWaitClose(port, bytes);
      assert.match(reply, new RegExp(`^HTTP/1\\.1 ${status} `));
      // One more request after it, so a second line for the refused one would show.
      await sendAndWaitClose(port, 'GET /next HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
      const lines = await linesWhen(logPath, (all) => all.length >= before + 2);
      await new Promise((resolve) => setTimeout(resolve, 300)); // a late duplicate would be written by now
      const after = await linesWhen(logPath, () => true);
      assert.equal(after.length, before + 2, after.join('\n'));
      assert.ok((lines[before] as string).endsWith(logged), lines[before]);
      assert.match(lines[before + 1] as string, /"GET \/next HTTP\/1\.1" 200 2 /);
    });
  }

  it('a client that leaves in the middle of a response is logged with what was sent', async () => {
    const before = (await linesWhen(logPath, () => true)).length;
    // The text echo answers at once and streams the body back: close while it waits for more.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /echo/left HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc');
      });
      socket.once('data', () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
    const lines = await linesWhen(logPath, (all) => all.length > before);
    assert.match(lines[before] as string, /"POST \/echo\/left HTTP\/1\.1" 200 \d+ "-" "-"$/);
  });

  it('a connection that sends nothing is not a request: not logged', async () => {
    const before = (await linesWhen(logPath, () => true)).length;
    await sendAndWaitClose(port, ''); // closed by the 1 s header timeout
    await sendAndWaitClose(port, 'GET /g HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    const lines = await linesWhen(logPath, (all) => all.length > before);
    assert.equal(lines.length, before + 1, lines.join('\n'));
    assert.match(lines[before] as string, /"GET \/g HTTP\/1\.1" 200 2 /);
  });
});

describe('IPv4 clients of a dual-stack listener', () => {
  let upstream: RunningServer | null = null;
  let server: RunningServer | null = null;
  let port = 0;
  /** The same on a listener that also speaks HTTP/2 (h2c). */
  let h2Port = 0;
  let logPath = '';
  const { logger } = createRecordingLogger();

  before(async () => {
    logPath = join(dir, 'dual.log');
    upstream = await start(
      {
        sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: '/', echo: {} }] }],
        log: { access: 'off' },
      },
      { logger },
    );
    const upstreamPort = (upstream.addresses[0] as { port: number }).port;
    server = await start(
      {
        sites: [
          {
            listen: ['[::]:0'],
            routes: [
              { path: '/proxied', proxy: { to: [`127.0.0.1:${upstreamPort}`] } },
              { path: '/', echo: {} },
            ],
          },
          { listen: ['[::]:0'], http2: 'h2c', routes: [{ path: '/', echo: {} }] },
        ],
        limits: { max_request_line: 100 },
        log: { access: '$remote_addr $status $request_uri', access_path: logPath },
      },
      { logger },
    );
    port = (server.addresses[0] as { port: number }).port;
    h2Port = (server.addresses[1] as { port: number }).port;
  });

  after(async () => {
    await server?.stop();
    await upstream?.stop();
  });

  it('are 127.0.0.1, not ::ffff:127.0.0.1, in the access log, the echo and X-Forwarded-For', async () => {
    const text = await rawRequest(
      port,
      'GET /text HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    assert.match(text.text, /\r\nX-Client-Address: 127\.0\.0\.1:\d+\r\n/);
    const json = (await (
      await fetch(`http://127.0.0.1:${port}/json`, { headers: { accept: 'application/json' } })
    ).json()) as { client: { address: string } };
    assert.equal(json.client.address, '127.0.0.1');
    const proxied = await rawRequest(
      port,
      'GET /proxied HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    assert.match(proxied.text, /\r\nX-Forwarded-For: 127\.0\.0\.1\r\n/);
    await sendAndWaitClose(port, `GET /${'x'.repeat(200)} HTTP/1.1\r\n\r\n`); // refused: 414
    const lines = await linesWhen(logPath, (all) => all.length >= 4);
    assert.deepEqual(lines, [
      '127.0.0.1 200 /text',
      '127.0.0.1 200 /json',
      '127.0.0.1 200 /proxied',
      '127.0.0.1 414 -',
    ]);
  });

  it('are 127.0.0.1 over HTTP/2 too, in the echo and the access log', async () => {
    const session = await openSession(`http://127.0.0.1:${h2Port}`);
    try {
      const response = await request(session, '/h2', { headers: { accept: 'application/json' } });
      const json = JSON.parse(response.body.toString()) as { client: { address: string } };
      assert.equal(json.client.address, '127.0.0.1');
    } finally {
      session.close();
    }
    const lines = await linesWhen(logPath, (all) => all.some((line) => line.endsWith(' /h2')));
    assert.ok(lines.includes('127.0.0.1 200 /h2'), lines.join('\n'));
  });

  it('an IPv6 client stays IPv6', async (t) => {
    const ok = await rawRequest(port, 'GET /v6 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', {
      host: '::1',
    }).catch(() => null);
    if (ok === null || ok.text === '') {
      t.skip('no IPv6 loopback here');
      return;
    }
    assert.match(ok.text, /\r\nX-Client-Address: ::1:\d+\r\n/);
  });
});

describe('custom access log formats', () => {
  it('writes nginx-style $variables, compiled from the config', async () => {
    const logPath = join(dir, 'custom.log');
    const server = await start(
      {
        sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: '/', respond: { body: 'hello' } }] }],
        log: {
          access:
            '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time ${request_method}:$args $http_x_custom_field $host $server_protocol $pid',
          access_path: logPath,
        },
      },
      { logger: createRecordingLogger().logger },
    );
    try {
      const port = (server.addresses[0] as { port: number }).port;
      const response = await fetch(`http://127.0.0.1:${port}/p?a=1&b=2`, {
        headers: { 'user-agent': 'agent "x"', 'x-custom-field': 'v1', referer: 'http://r/' },
      });
      assert.equal(await response.text(), 'hello');
      const [line] = await linesWhen(logPath, (all) => all.length >= 1);
      assert.match(
        line as string,
        new RegExp(
          String.raw`^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /p\?a=1&b=2 HTTP/1\.1" 200 5 "http://r/" "agent \\x22x\\x22" \d+\.\d{3} GET:a=1&b=2 v1 127\.0\.0\.1:${port} HTTP/1\.1 ${process.pid}$`,
        ),
      );
    } finally {
      await server.stop();
    }
  });

  it('porta check names an unknown variable with file and line', async () => {
    const file = join(dir, 'bad-format.yaml');
    await writeFile(
      file,
      [
        'sites:',
        '  - listen: ["127.0.0.1:0"]',
        '    routes:',
        '      - path: /',
        '        respond: { body: ok }',
        'log:',
        '  access: \'$remote_addr "$request" $staus\'',
        '',
      ].join('\n'),
    );
    const result = await runPorta(['check', '-c', file]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /bad-format\.yaml:7:\d+ log\.access: unknown variable \$staus in the access log format \(did you mean \$status\?\)/,
    );
  });
});
