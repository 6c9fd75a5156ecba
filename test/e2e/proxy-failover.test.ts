// End to end: a backend killed mid-run, all backends down (502, then 503), timeouts (504), stale keep-alive sockets.
import assert from 'node:assert/strict';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { closeAll, get, proxySite, sleep, startBackend, startPorta } from './proxy-harness.js';

const rawServers: ReturnType<typeof createServer>[] = [];
after(async () => {
  for (const server of rawServers) server.close();
  await closeAll();
});

/** A raw TCP backend whose behaviour per connection the test scripts. */
async function rawBackend(onConnection: (socket: Socket, index: number) => void): Promise<number> {
  let count = 0;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    onConnection(socket, count++);
  });
  rawServers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Backend: raw\r\n\r\nok';

describe('porta proxy: failures', () => {
  it('keeps answering idempotent GETs when a backend dies mid-run', async () => {
    const a = await startBackend('a');
    const b = await startBackend('b');
    const c = await startBackend('c');
    const { url, logger } = await startPorta(proxySite({ to: [a.url, b.url, c.url] }));
    const statuses: number[] = [];
    let stop = false;
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) statuses.push((await get(`${url}/work`)).status);
    });
    // Counted, not timed: a loaded machine may serve only a few requests per 100 ms.
    const served = async (count: number): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (statuses.length < count && Date.now() < deadline) await sleep(20);
    };
    await served(20);
    await b.close(); // connections reset, new ones refused
    await served(statuses.length + 40);
    stop = true;
    await Promise.all(workers);
    assert.ok(statuses.length > 50, `only ${statuses.length} requests`);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
    );
    assert.ok(
      logger.lines.some((line) => /Upstream 127\.0\.0\.1:\d+ failed for GET \/work/.test(line)),
    );
  });

  it('502 with a clear page when every upstream fails, then 503 while they are marked down', async () => {
    const dead = await startBackend('dead');
    await dead.close();
    const { url, logger } = await startPorta(proxySite({ to: [dead.url] }));
    const first = await get(`${url}/`, { accept: 'text/html' });
    assert.equal(first.status, 502);
    assert.match(first.text, /<h1>502 Bad Gateway<\/h1>/);
    assert.ok(logger.lines.some((line) => line.includes(`Upstream 127.0.0.1:${dead.port} failed`)));
    const second = await get(`${url}/`);
    assert.equal(second.status, 503);
    assert.match(second.text, /^503 Service Unavailable\n/);
  });

  it('504 when the upstream sends no response head in time', async () => {
    const port = await rawBackend(() => undefined); // reads, never answers
    const { url, logger } = await startPorta(
      proxySite({ to: [`http://127.0.0.1:${port}`], timeouts: { header: '500ms' }, retries: 0 }),
    );
    const started = Date.now();
    const response = await get(`${url}/slow`);
    assert.equal(response.status, 504);
    assert.ok(Date.now() - started >= 400);
    assert.ok(logger.lines.some((line) => line.includes('header-timeout')));
  });

  it('502 when the upstream answers garbage', async () => {
    const port = await rawBackend((socket) => {
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    });
    const { url } = await startPorta(proxySite({ to: [`http://127.0.0.1:${port}`] }));
    assert.equal((await get(`${url}/`)).status, 502);
  });

  it('cuts the client connection when the upstream dies mid-body (never a truncated 200)', async () => {
    const port = await rawBackend((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
        socket.write('x'.repeat(50_000));
        setTimeout(() => socket.destroy(), 50);
      });
    });
    const { url } = await startPorta(proxySite({ to: [`http://127.0.0.1:${port}`] }));
    await assert.rejects(async () => {
      const response = await fetch(`${url}/`);
      await response.text();
    });
  });

  it('502 when the upstream dies inside a small response (held whole, so no head went out yet)', async () => {
    const port = await rawBackend((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 50);
      });
    });
    const { url } = await startPorta(proxySite({ to: [`http://127.0.0.1:${port}`] }));
    assert.equal((await get(`${url}/`)).status, 502);
  });

  it('retries once on a new connection when a reused keep-alive socket turns out closed', async () => {
    // The first connection answers one request and then dies on the next without a byte:
    // the race a proxy loses when a backend's keep-alive timeout ends as the request goes out.
    const port = await rawBackend((socket, index) => {
      let served = 0;
      socket.on('data', () => {
        if (index === 0 && served === 1) {
          socket.destroy();
          return;
        }
        served++;
        socket.write(OK);
      });
    });
    const { url, logger } = await startPorta(
      proxySite({ to: [`http://127.0.0.1:${port}`], retries: 0 }),
    );
    assert.equal((await get(`${url}/one`)).status, 200);
    const second = await get(`${url}/two`);
    assert.equal(second.status, 200);
    assert.equal(second.text, 'ok');
    assert.ok(logger.lines.some((line) => line.includes('reused connection was closed')));
  });

  it('does not retry a POST whose body went out (not idempotent)', async () => {
    let attempts = 0;
    const port = await rawBackend((socket) => {
      socket.on('data', () => {
        attempts++;
        socket.destroy();
      });
    });
    const other = await startBackend('other');
    const { url } = await startPorta(
      proxySite({ to: [`http://127.0.0.1:${port}`, other.url], balance: 'first' }),
    );
    const response = await fetch(`${url}/submit`, { method: 'POST', body: 'order=1' });
    assert.equal(response.status, 502);
    assert.equal(attempts, 1);
    assert.equal(other.hits, 0);
  });

  it('retries a POST on another upstream when the connection could not even be made', async () => {
    const dead = await startBackend('dead');
    await dead.close();
    const live = await startBackend('live');
    const { url } = await startPorta(proxySite({ to: [dead.url, live.url], balance: 'first' }));
    const response = await fetch(`${url}/submit`, { method: 'POST', body: 'order=2' });
    assert.equal(response.status, 200);
    const seen = (await response.json()) as { backend: string; body: string };
    assert.equal(seen.backend, 'live');
    assert.equal(seen.body, 'order=2');
  });
});
