// End to end: real apps from their own npm packages on porta: examples/hono-app via `porta app`,
// examples/h3-app from a config in 2 workers, and Hono adapter behaviours (conninfo, HEAD, 304,
// redirects, streams, bytes, Set-Cookie, abort) as @hono/node-server's tests exercise them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';
import { RawClient } from '../support/raw-client.js';

const HONO_EXAMPLE = fileURLToPath(new URL('../../examples/hono-app/server.ts', import.meta.url));
const H3_EXAMPLE = fileURLToPath(new URL('../../examples/h3-app/server.ts', import.meta.url));
const ADAPTER_APP = fileURLToPath(new URL('../fixtures/apps/hono-adapter-app.ts', import.meta.url));

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const APP_ARGS = ['-H', '127.0.0.1', '-p', '0', '--access-log', 'off'];

describe('examples/hono-app with porta app', () => {
  let porta: PortaProcess;
  before(async () => {
    porta = await spawnPorta(['app', HONO_EXAMPLE, ...APP_ARGS, '--workers', '1'], 60_000);
  });
  after(async () => {
    await porta.stop();
  });

  it('routes, runs middleware, answers JSON and params', async () => {
    const home = await fetch(`${porta.url}/`);
    assert.equal(await home.text(), 'Hello from Hono on porta\n');
    assert.match(home.headers.get('x-response-time') ?? '', /^\d+\.\dms$/);
    const json = await fetch(`${porta.url}/json`);
    assert.deepEqual(await json.json(), { framework: 'hono', server: 'porta', ok: true });
    const user = await fetch(`${porta.url}/users/42`, { headers: { 'User-Agent': 'probe' } });
    assert.deepEqual(await user.json(), { id: '42', agent: 'probe' });
    const text = await fetch(`${porta.url}/text`);
    assert.equal((await text.text()).length, 1024);
    const missing = await fetch(`${porta.url}/nope`);
    assert.equal(missing.status, 404);
    await missing.text();
  });

  it('reads a JSON body, streams, sets and reads cookies', async () => {
    const echo = await fetch(`${porta.url}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ a: [1, 2] }),
    });
    assert.equal(echo.status, 201);
    assert.deepEqual(await echo.json(), { received: { a: [1, 2] } });
    const stream = await fetch(`${porta.url}/stream`);
    assert.equal(stream.headers.get('transfer-encoding'), 'chunked');
    assert.equal(await stream.text(), 'line 1\nline 2\nline 3\n');
    const login = await fetch(`${porta.url}/login`);
    assert.deepEqual(login.headers.getSetCookie(), [
      'session=abc123; Path=/; HttpOnly',
      'theme=dark; Path=/',
    ]);
    await login.text();
    const whoami = await fetch(`${porta.url}/whoami`, { headers: { Cookie: 'session=abc123' } });
    assert.equal(await whoami.text(), 'session=abc123\n');
  });
});

describe('examples/h3-app from a config, 2 workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-h3-'));
  let porta: PortaProcess;
  before(async () => {
    const config = join(dir, 'porta.yaml');
    writeFileSync(
      config,
      `workers: 2\nsites:\n  - listen: ["127.0.0.1:0"]\n    routes:\n      - path: /\n        app: { module: ${JSON.stringify(H3_EXAMPLE)} }\n`,
    );
    porta = await spawnPorta(['run', '-c', config, '--access-log', 'off'], 60_000);
    await waitFor(() => porta.stderr().includes('(2 workers)'), 'both workers');
  });
  after(async () => {
    try {
      await porta.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the h3 app: text, JSON, params, a read body', async () => {
    for (let i = 0; i < 6; i++) {
      const json = await fetch(`${porta.url}/json`);
      assert.deepEqual(await json.json(), { framework: 'h3', server: 'porta' });
    }
    assert.equal(await (await fetch(`${porta.url}/`)).text(), 'Hello from h3 on porta\n');
    assert.deepEqual(await (await fetch(`${porta.url}/items/7`)).json(), { id: '7' });
    const echo = await fetch(`${porta.url}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"n":1}',
    });
    assert.deepEqual(await echo.json(), { received: { n: 1 } });
  });
});

describe("Hono adapter behaviours (as @hono/node-server's tests check them)", () => {
  let porta: PortaProcess;
  before(async () => {
    porta = await spawnPorta(['app', ADAPTER_APP, ...APP_ARGS, '--workers', '2'], 60_000);
  });
  after(async () => {
    await porta.stop();
  });

  it('GET text, the URL with its Host, query strings, JSON and binary bodies', async () => {
    assert.equal(await (await fetch(`${porta.url}/`)).text(), 'Hello! Node!');
    const { port } = new URL(porta.url);
    assert.equal(await (await fetch(`${porta.url}/url`)).text(), `http://127.0.0.1:${port}/url`);
    assert.equal(await (await fetch(`${porta.url}/posts?page=2`)).text(), 'Page 2');
    const created = await fetch(`${porta.url}/posts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"title":"porta"}',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { title: 'porta' });
    const raw = await fetch(`${porta.url}/raw`, { method: 'PUT', body: Buffer.alloc(200_000) });
    assert.equal(await raw.text(), '200000 bytes');
    assert.deepEqual(
      [...new Uint8Array(await (await fetch(`${porta.url}/bytes`)).arrayBuffer())],
      [104, 105],
    );
  });

  it("getConnInfo from @hono/node-server/conninfo reads the client's address", async () => {
    const info = (await (await fetch(`${porta.url}/conninfo`)).json()) as {
      remote: { address: string; port: number; addressType: string };
    };
    assert.equal(info.remote.address, '127.0.0.1');
    assert.equal(info.remote.addressType, 'IPv4');
    assert.ok(info.remote.port > 0);
  });

  it('HEAD, 304 without a body, redirects, headers and two Set-Cookie fields', async () => {
    const head = await fetch(`${porta.url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    // Hono answers HEAD with the GET response's fields and a null body (no length known).
    assert.match(head.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await head.text(), '');
    const notModified = await fetch(`${porta.url}/not-modified`);
    assert.equal(notModified.status, 304);
    const redirect = await fetch(`${porta.url}/redirect`, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), '/');
    const headers = await fetch(`${porta.url}/headers`);
    assert.equal(headers.headers.get('x-custom'), 'Hono');
    assert.deepEqual(headers.headers.getSetCookie(), ['one=1', 'two=2']);
    await headers.text();
  });

  it('streams, answers 500 for an error, aborts the signal when the client leaves', async () => {
    assert.equal(await (await fetch(`${porta.url}/stream`)).text(), 'Hello');
    const failed = await fetch(`${porta.url}/error`);
    assert.equal(failed.status, 500);
    assert.doesNotMatch(await failed.text(), /hono adapter error/);
    const client = await RawClient.open(Number(new URL(porta.url).port));
    client.write('GET /abort HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => porta.stderr().includes('hono-adapter: waiting'), 'the app to have it');
    client.reset();
    await waitFor(() => porta.stderr().includes('hono-adapter: request aborted (true)'), 'abort');
  });
});
