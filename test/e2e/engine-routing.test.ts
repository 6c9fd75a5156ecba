// End to end: respond, redirect and routing by Host and path prefix, with fetch and raw sockets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, start } from '../../src/index.js';
import { rawRequest, statusCodes } from '../support/raw-http.js';

describe('routing and fixed handlers', () => {
  let server: RunningServer;
  let base = '';
  let port = 0;

  before(async () => {
    server = await start({
      sites: [
        {
          listen: ['127.0.0.1:0'],
          hosts: ['example.com'],
          routes: [{ path: '/', respond: { body: 'example site' } }],
        },
        {
          listen: ['127.0.0.1:0'],
          hosts: ['*.example.org'],
          routes: [{ path: '/', respond: { body: 'wildcard site' } }],
        },
        {
          listen: ['127.0.0.1:0'],
          routes: [
            {
              path: '/',
              respond: { status: 200, headers: { 'X-Site': 'default' }, body: 'Hello, World!' },
            },
            { path: '/api', respond: { status: 201, body: 'api' } },
            { path: '/api/v2', respond: { status: 202, body: 'api v2' } },
            { path: '/old', redirect: { to: 'https://new.example/base/', keep_path: true } },
            { path: '/moved', redirect: { to: '/elsewhere', status: 308 } },
            { path: '/empty', respond: { status: 204 } },
          ],
        },
      ],
      log: { level: 'error', access: 'off' },
    });
    // All three sites share one listener per address; port 0 gives each its own, so use one
    // address for all: the test below uses the third (default) listener for path routing.
    port = server.addresses[2]?.port ?? 0;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await server.stop();
  });

  it('answers a fixed response with engine headers', async () => {
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'Hello, World!');
    assert.equal(response.headers.get('x-site'), 'default');
    assert.equal(response.headers.get('content-length'), '13');
    assert.equal(response.headers.get('server'), 'porta');
    assert.match(
      response.headers.get('date') ?? '',
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
  });

  it('routes by the longest path prefix, on segment boundaries', async () => {
    assert.equal((await fetch(`${base}/api`)).status, 201);
    assert.equal((await fetch(`${base}/api/users`)).status, 201);
    assert.equal((await fetch(`${base}/api/v2/users`)).status, 202);
    assert.equal((await fetch(`${base}/apiary`)).status, 200);
    assert.equal((await fetch(`${base}/api/v2x`)).status, 201);
  });

  it('resolves dot-segments before routing and refuses climbing above the root', async () => {
    const raw = await rawRequest(
      port,
      'GET /api/../api/v2/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual(statusCodes(raw.text), [202]);
    const bad = await rawRequest(
      port,
      'GET /../etc/passwd HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual(statusCodes(bad.text), [400]);
  });

  it('redirects, keeping the path below the route and the query when asked', async () => {
    const kept = await fetch(`${base}/old/a/b?x=1`, { redirect: 'manual' });
    assert.equal(kept.status, 301);
    assert.equal(kept.headers.get('location'), 'https://new.example/base/a/b?x=1');
    const fixed = await fetch(`${base}/moved/anything`, { redirect: 'manual' });
    assert.equal(fixed.status, 308);
    assert.equal(fixed.headers.get('location'), '/elsewhere');
  });

  it('sends no body and no length for 204', async () => {
    const raw = await rawRequest(
      port,
      'GET /empty HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    assert.match(raw.text, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.doesNotMatch(raw.text, /Content-Length/i);
    assert.ok(raw.text.endsWith('\r\n\r\n'));
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const raw = await rawRequest(port, 'HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.match(raw.text, /Content-Length: 13\r\n/);
    assert.ok(raw.text.endsWith('\r\n\r\n'), 'no body after the head');
  });

  it('chooses the site by Host: exact, wildcard, then the default', async () => {
    const sitePort = (i: number) => server.addresses[i]?.port ?? 0;
    const ask = async (p: number, host: string) => {
      const raw = await rawRequest(
        p,
        `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      return raw.text.slice(raw.text.indexOf('\r\n\r\n') + 4);
    };
    assert.equal(await ask(sitePort(0), 'example.com'), 'example site');
    assert.equal(await ask(sitePort(0), 'EXAMPLE.com:8080'), 'example site');
    // A listener whose only site has hosts still answers other hosts with it (nginx's default).
    assert.equal(await ask(sitePort(0), 'other.test'), 'example site');
    assert.equal(await ask(sitePort(1), 'a.example.org'), 'wildcard site');
  });
});

describe('virtual hosts on one listener', () => {
  let server: RunningServer;
  let port = 0;

  before(async () => {
    // Bind a free port first, then share it between three sites.
    const probe = await start({
      sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: '/', respond: {} }] }],
      log: { level: 'error', access: 'off' },
    });
    port = probe.addresses[0]?.port ?? 0;
    await probe.stop();
    const listen = [`127.0.0.1:${port}`];
    server = await start({
      sites: [
        { listen, hosts: ['a.test'], routes: [{ path: '/', respond: { body: 'A' } }] },
        { listen, hosts: ['*.b.test'], routes: [{ path: '/', respond: { body: 'B' } }] },
        { listen, routes: [{ path: '/', respond: { body: 'default' } }] },
      ],
      log: { level: 'error', access: 'off' },
    });
  });

  after(async () => {
    await server.stop();
  });

  it('serves each Host its own site on the same port', async () => {
    const body = async (host: string) => {
      const raw = await rawRequest(
        port,
        `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      return raw.text.slice(raw.text.indexOf('\r\n\r\n') + 4);
    };
    assert.equal(server.addresses.length, 1);
    assert.equal(await body('a.test'), 'A');
    assert.equal(await body('x.b.test'), 'B');
    assert.equal(await body('deep.x.b.test'), 'B');
    assert.equal(await body('b.test'), 'default');
    assert.equal(await body('unknown.test'), 'default');
  });
});
