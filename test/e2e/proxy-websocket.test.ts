// End to end: Upgrade through porta: the engine's exchange.upgrade() on raw sockets, and a real WebSocket echo (ws) via the proxy.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import type { Exchange } from '../../src/http/exchange.js';
import { ConnectionBudget } from '../../src/http/connection-budget.js';
import { ConnectionSet } from '../../src/http/connection-set.js';
import { Http1Server } from '../../src/http1/http1-server.js';
import { listen, closeServer } from '../../src/net/listener.js';
import { parseListenAddress } from '../../src/net/listen-address.js';
import { closeAll, proxySite, startBackend, startPorta } from './proxy-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await closeAll();
});

/** The engine alone with one handler that upgrades: answers 101 itself and echoes in upper case. */
async function upgradingEngine(): Promise<number> {
  const engine = new Http1Server(
    {
      limits: { maxRequestLine: 8192, maxHeaderSize: 32768, maxHeaders: 100, maxBodySize: 0 },
      timeouts: {
        headerMs: 5000,
        bodyMs: 5000,
        idleMs: 5000,
        sendMs: 5000,
        minBodyBytes: 0,
        bodyRateWindowMs: 0,
      },
      dispatch: (exchange) => {
        void handle(exchange);
      },
      onExchangeDone: () => undefined,
      onRefused: () => undefined,
      debug: null,
      logsAccess: false,
    },
    new ConnectionSet(new ConnectionBudget(100, () => undefined)),
  );
  const handle = async (exchange: Exchange): Promise<void> => {
    if (exchange.request.upgrade === '') {
      exchange.send(200, [], 'plain');
      return;
    }
    await new Promise((resolve) => setImmediate(resolve)); // like a proxy that first connects upstream
    const { socket, head } = exchange.upgrade();
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: shout\r\n\r\n',
    );
    const shout = (chunk: Buffer): void => {
      socket.write(chunk.toString('latin1').toUpperCase());
    };
    if (head.length > 0) shout(head);
    socket.on('data', shout);
    socket.on('end', () => socket.end());
    socket.resume(); // handed over paused, so no byte is lost before we listen
  };
  const server = await listen(
    parseListenAddress('127.0.0.1:0'),
    (socket) => {
      engine.accept(socket);
    },
    {},
  );
  cleanups.push(async () => {
    await engine.shutdown(100);
    await closeServer(server);
  });
  return (server.address() as AddressInfo).port;
}

describe('Exchange.upgrade(): the engine lets go of the socket', () => {
  it('hands over the socket and the bytes sent right behind the head; no more HTTP parsing', async () => {
    const port = await upgradingEngine();
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    let received = '';
    socket.on('data', (text: string) => (received += text));
    // Head and the first bytes of the new protocol in one write; then bytes that look like HTTP.
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\nhello ',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write('GET /not-http HTTP/1.1\r\n\r\n');
    socket.end();
    await once(socket, 'close');
    assert.match(received, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    const body = received.slice(received.indexOf('\r\n\r\n') + 4);
    assert.equal(body, 'HELLO GET /NOT-HTTP HTTP/1.1\r\n\r\n');
  });

  it('a request without Upgrade stays plain HTTP', async () => {
    const port = await upgradingEngine();
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(await response.text(), 'plain');
  });
});

describe('porta proxy: WebSocket', () => {
  it('tunnels a real WebSocket echo both ways, text and binary', async () => {
    const backend = await startBackend('ws-backend');
    const wss = new WebSocketServer({ server: backend.server });
    wss.on('connection', (ws, req) => {
      ws.send(`hello ${String(req.headers['x-forwarded-for'] ?? '?')}`);
      ws.on('message', (data, isBinary) => {
        ws.send(data, { binary: isBinary });
      });
    });
    cleanups.push(() => {
      wss.close();
    });
    const { url, server } = await startPorta(proxySite({ to: [backend.url] }));
    const ws = new WebSocket(`${url.replace('http', 'ws')}/chat`);
    const messages: string[] = [];
    const binary: Buffer[] = [];
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) binary.push(data);
      else messages.push(data.toString());
    });
    await once(ws, 'open');
    ws.send('one');
    ws.send('two');
    const payload = Buffer.alloc(256 * 1024, 7);
    ws.send(payload);
    const deadline = Date.now() + 30_000;
    while ((messages.length < 3 || binary.length < 1) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(messages, ['hello 127.0.0.1', 'one', 'two']);
    assert.ok(binary[0]?.equals(payload));
    ws.close();
    await once(ws, 'close');
    await server.stop();
  });

  it('an open WebSocket survives a reload (and the old handler being released)', async () => {
    const backend = await startBackend('ws-reload');
    const wss = new WebSocketServer({ server: backend.server });
    wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        ws.send(`echo ${(data as Buffer).toString()}`);
      });
    });
    cleanups.push(() => {
      wss.close();
    });
    // A fixed port, so the reload keeps the listener (port 0 would make it a new one).
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const config = {
      sites: [
        { listen: [`127.0.0.1:${port}`], routes: [{ path: '/', proxy: { to: [backend.url] } }] },
      ],
      timeouts: { shutdown: '200ms' },
      log: { access: 'off' as const },
    };
    const { url, server } = await startPorta(config);
    const ws = new WebSocket(`${url.replace('http', 'ws')}/`);
    await once(ws, 'open');
    const next = async (): Promise<string> => String(((await once(ws, 'message')) as [Buffer])[0]);
    ws.send('before');
    assert.equal(await next(), 'echo before');
    await server.reload(config); // new handlers built, the old ones released after 200 ms
    await new Promise((resolve) => setTimeout(resolve, 600)); // past the old plan's release
    ws.send('after');
    assert.equal(await next(), 'echo after');
    ws.close();
    await once(ws, 'close');
  });

  it('a refused upgrade is an ordinary response', async () => {
    const backend = await startBackend('plain', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('no websockets here');
    });
    const { url } = await startPorta(proxySite({ to: [backend.url] }));
    const ws = new WebSocket(`${url.replace('http', 'ws')}/`);
    ws.on('error', () => undefined); // terminate() below reports "closed before established"
    const [, response] = (await once(ws, 'unexpected-response')) as [
      unknown,
      { statusCode: number },
    ];
    assert.equal(response.statusCode, 426);
    ws.terminate();
  });
});
