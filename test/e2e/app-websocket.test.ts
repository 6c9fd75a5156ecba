// End to end: WebSockets on app routes, 2 workers, with the `ws` client and raw sockets: Hono's
// upgradeWebSocket (@hono/node-ws), crossws hooks (examples/websocket-app), h3's
// defineWebSocketHandler; echo, binary, close codes, refusals, throwing hooks, clients that leave
// mid-handshake or mid-frame; `porta app` on the example; wss:// beside HTTP/2 on a TLS listener.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectH2 } from 'node:http2';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';
import { type TestPki, createTestPki } from '../support/tls-fixtures.js';
import { waitFor } from '../support/wait-for.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/websocket-app/', import.meta.url));
const H3_APP = fileURLToPath(new URL('../fixtures/apps/h3-websocket.ts', import.meta.url));

/** A connected client, its messages queued as they come. */
interface Client {
  readonly ws: WebSocket;
  next(): Promise<{ data: Buffer; binary: boolean }>;
  closed: Promise<{ code: number; reason: string }>;
}

async function open(url: string, protocols: string[] = []): Promise<Client> {
  const ws = new WebSocket(url, protocols);
  const queue: { data: Buffer; binary: boolean }[] = [];
  const waiting: ((m: { data: Buffer; binary: boolean }) => void)[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => {
    const message = { data, binary };
    const take = waiting.shift();
    if (take === undefined) queue.push(message);
    else take(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);
  return {
    ws,
    closed,
    next: () =>
      new Promise((resolve) => {
        const first = queue.shift();
        if (first === undefined) waiting.push(resolve);
        else resolve(first);
      }),
  };
}

/** The HTTP answer to a refused handshake: status, fields and body. */
async function refusal(
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const ws = new WebSocket(url);
  ws.on('error', () => undefined);
  const [, response] = (await once(ws, 'unexpected-response')) as [
    unknown,
    import('node:http').IncomingMessage,
  ];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { status: response.statusCode ?? 0, headers: response.headers, body };
}

/** Raw socket: sends `text`, resolves with the response head that comes back. */
async function rawHead(port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(text);
  let got = '';
  try {
    while (!got.includes('\r\n\r\n')) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      got += chunk.toString('latin1');
    }
  } finally {
    socket.destroy();
  }
  return got;
}

function handshake(path: string, extra = ''): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  );
}

/** Starts `porta run` in 2 workers on one site (`site` lines: listen, tls) with the WebSocket apps. */
async function startApps(dir: string, site: readonly string[]): Promise<PortaProcess> {
  const config = join(dir, 'porta.yaml');
  const route = (path: string, module: string): string[] => [
    `      - path: ${path}`,
    `        app: { module: ${JSON.stringify(module)} }`,
  ];
  writeFileSync(
    config,
    [
      'workers: 2',
      'log: { access: off }',
      'sites:',
      ...site,
      '    routes:',
      ...route('/chat', join(EXAMPLE, 'hooks.ts')),
      ...route('/h3', H3_APP),
      ...route('/', join(EXAMPLE, 'server.ts')),
      '',
    ].join('\n'),
  );
  const porta = await spawnPorta(['run', '-c', config], 60_000);
  await waitFor(() => porta.stderr().includes('(2 workers)'), 60_000);
  return porta;
}

describe('WebSockets on app routes (2 workers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-ws-'));
  let porta: PortaProcess;
  let base = '';
  let port = 0;

  before(async () => {
    porta = await startApps(dir, ['  - listen: ["127.0.0.1:0"]']);
    base = porta.url.replace('http://', 'ws://');
    port = Number(new URL(porta.url).port);
  });

  after(async () => {
    try {
      await porta.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs Hono upgradeWebSocket (@hono/node-ws): text, binary, close codes both ways', async () => {
    const client = await open(`${base}/ws?name=ada`);
    assert.equal(String((await client.next()).data), 'hello ada');
    client.ws.send('hi');
    assert.deepEqual(await client.next(), { data: Buffer.from('echo: hi'), binary: false });
    // 256 KiB of binary comes back byte for byte (many TCP reads, one frame).
    const bytes = randomBytes(256 * 1024);
    client.ws.send(bytes);
    const back = await client.next();
    assert.equal(back.binary, true);
    assert.ok(back.data.equals(bytes));
    client.ws.send('bye');
    assert.deepEqual(await client.closed, { code: 4000, reason: 'bye' });

    // The client closes: the server's close frame echoes its code.
    const second = await open(`${base}/ws`);
    await second.next();
    second.ws.close(4001, 'done');
    assert.equal((await second.closed).code, 4001);
  });

  it('answers a WebSocket request for a route without one as the app does (404)', async () => {
    const answer = await refusal(`${base}/nowhere`);
    assert.equal(answer.status, 404);
  });

  it('runs crossws hooks: upgrade refuses with a real HTTP answer or adds fields', async () => {
    const refused = await refusal(`${base}/chat`);
    assert.equal(refused.status, 401);
    assert.equal(refused.body, 'Unauthorized\n');
    assert.equal(refused.headers['content-length'], '13');

    const ws = new WebSocket(`${base}/chat?token=let-me-in`);
    ws.on('error', () => undefined);
    const [upgrade] = (await once(ws, 'upgrade')) as [import('node:http').IncomingMessage];
    assert.equal(upgrade.headers['x-chat'], 'porta');
    ws.close();
    await once(ws, 'close');

    const client = await open(`${base}/chat?token=let-me-in`);
    assert.match(String((await client.next()).data), /^welcome /);
    client.ws.send('text stays text');
    assert.deepEqual(await client.next(), { data: Buffer.from('text stays text'), binary: false });
    client.ws.send(Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(await client.next(), { data: Buffer.from([0, 1, 2, 255]), binary: true });
    client.ws.close(1000);
    assert.equal((await client.closed).code, 1000);
  });

  it('closes with 1011 when a hook throws, logs it with the route, and keeps serving', async () => {
    const client = await open(`${base}/chat?token=let-me-in`);
    await client.next();
    client.ws.send('boom');
    assert.deepEqual(await client.closed, { code: 1011, reason: 'Internal Error' });
    await waitFor(() =>
      porta.stderr().includes('App WebSocket message hook failed on site 0 route 0 (/chat)'),
    );
    assert.match(porta.stderr(), /Error: the app failed on purpose/);

    const h3 = await open(`${base}/h3/ws`);
    await h3.next();
    h3.ws.send('reject'); // an async hook that rejects
    assert.equal((await h3.closed).code, 1011);
    await waitFor(() => porta.stderr().includes('async hook failed on purpose'));

    const again = await open(`${base}/chat?token=let-me-in`);
    await again.next();
    again.ws.close();
    assert.doesNotMatch(porta.stderr(), /died/);
  });

  it("runs h3's defineWebSocketHandler (hooks on fetch's Response): subprotocol, refusals, 500", async () => {
    const client = await open(`${base}/h3/ws`, ['chat', 'other']);
    assert.equal(client.ws.protocol, 'chat');
    assert.equal(String((await client.next()).data), 'h3 open');
    client.ws.send('hello');
    assert.equal(String((await client.next()).data), 'h3: hello');
    client.ws.close();
    await client.closed;

    const denied = await refusal(`${base}/h3/ws?deny`);
    assert.deepEqual([denied.status, denied.body], [403, 'denied\n']);
    const failed = await refusal(`${base}/h3/ws?fail`);
    assert.equal(failed.status, 500);
    await waitFor(() => porta.stderr().includes('upgrade hook failed on purpose'));
    assert.match(porta.stderr(), /App WebSocket on site 0 route 1 \(\/h3\) for GET \/h3\/ws\?fail/);

    // Plain HTTP to the WebSocket route gets the app's own answer.
    const plain = await fetch(`${porta.url}/h3/ws`);
    assert.equal(plain.status, 426);
    await plain.text();
  });

  it('refuses bad handshakes with 400 or 426 before the socket changes hands', async () => {
    const badKey = await rawHead(
      port,
      'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    assert.match(badKey, /^HTTP\/1\.1 400 /);
    const oldVersion = await rawHead(
      port,
      'GET /chat?token=let-me-in HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 12\r\n\r\n',
    );
    assert.match(oldVersion, /^HTTP\/1\.1 426 /);
    assert.match(oldVersion, /\r\nSec-WebSocket-Version: 13\r\n/i);
  });

  it('survives clients that leave mid-handshake or mid-frame', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      for (const path of ['/ws', '/chat?token=let-me-in', '/h3/ws']) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        sockets.push(socket);
        await once(socket, 'connect');
        const answered = once(socket, 'data');
        socket.resume(); // read (and drop) what comes, so the server's FIN is seen
        // Half a handshake, a whole one then gone, or a frame cut after its header.
        if (i % 3 === 0) socket.end(handshake(path).slice(0, 40));
        else if (i % 3 === 1) socket.end(handshake(path));
        else {
          socket.write(handshake(path));
          await answered;
          // A masked text frame announcing 1000 bytes, of which 10 arrive.
          const header = Buffer.from([0x81, 0xfe, 0x03, 0xe8, 1, 2, 3, 4]);
          socket.end(Buffer.concat([header, randomBytes(10)]));
        }
      }
    }
    await Promise.all(sockets.filter((s) => !s.closed).map((s) => once(s, 'close')));
    for (let i = 0; i < 4; i++) {
      const client = await open(`${base}/ws`);
      assert.equal(String((await client.next()).data), 'hello there');
      client.ws.close();
      await client.closed;
    }
    const response = await fetch(`${porta.url}/`);
    assert.equal(response.status, 200);
    await response.text();
    assert.doesNotMatch(porta.stderr(), /died/);
  });
});

describe('porta app examples/websocket-app/server.ts', () => {
  let porta: PortaProcess;
  before(async () => {
    porta = await spawnPorta(
      ['app', join(EXAMPLE, 'server.ts'), '-H', '127.0.0.1', '-p', '0', '--workers', '1'],
      60_000,
    );
  });
  after(async () => {
    await porta.stop();
  });

  it('serves the page and the WebSocket', async () => {
    const page = await fetch(`${porta.url}/`);
    assert.match(await page.text(), /WebSockets at \/ws/);
    const client = await open(`${porta.url.replace('http://', 'ws://')}/ws?name=porta`);
    assert.equal(String((await client.next()).data), 'hello porta');
    client.ws.send(Buffer.from('bytes'));
    assert.equal(String((await client.next()).data), 'bytes');
    client.ws.close(1000);
    assert.equal((await client.closed).code, 1000);
    await waitFor(() => porta.stdout().includes('"GET /ws?name=porta HTTP/1.1" 101'));
  });
});

describe('WebSockets on a TLS listener that also speaks HTTP/2 (2 workers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-wss-'));
  let pki: TestPki | undefined;
  let porta: PortaProcess | undefined;
  let port = 0;

  before(async () => {
    pki = await createTestPki();
    const pair = await pki.issue(['localhost', '127.0.0.1'], 'site');
    port = await freePort();
    porta = await startApps(dir, [
      `  - listen: ['127.0.0.1:${port}']`,
      `    tls: { cert: ${JSON.stringify(pair.certPath)}, key: ${JSON.stringify(pair.keyPath)} }`,
    ]);
  });

  after(async () => {
    try {
      await porta?.stop();
    } finally {
      pki?.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades over HTTP/1.1 (wss://), the certificate verified', async () => {
    for (const path of ['/ws?name=tls', '/h3/ws']) {
      const ws = new WebSocket(`wss://localhost:${port}${path}`, { ca: pki?.caPem ?? '' });
      ws.on('error', () => undefined);
      const [first] = (await once(ws, 'message')) as [Buffer];
      assert.equal(String(first), path === '/h3/ws' ? 'h3 open' : 'hello tls');
      ws.close(1000);
      await once(ws, 'close');
    }
  });

  it('over HTTP/2 offers no WebSocket (no extended CONNECT): requests get the app’s plain answer', async () => {
    const session = connectH2(`https://localhost:${port}`, { ca: pki?.caPem ?? '' });
    session.on('error', () => undefined);
    try {
      await once(session, 'remoteSettings');
      // RFC 8441 §3: without SETTINGS_ENABLE_CONNECT_PROTOCOL clients use HTTP/1.1 for WebSockets.
      assert.notEqual(session.remoteSettings.enableConnectProtocol, true);
      for (const [path, status] of [
        ['/h3/ws', 426],
        ['/ws', 404],
      ] as const) {
        const stream = session.request({ ':path': path });
        const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
        stream.resume();
        await once(stream, 'end');
        assert.equal(headers[':status'], status, path);
      }
    } finally {
      session.close();
    }
  });
});
