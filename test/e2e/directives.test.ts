// End to end: directives around handlers (auth, allow/deny, rate limit, CORS, header edits, body size) over real sockets.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type RunningServer, start } from '../../src/index.js';
import { hashPassword } from '../../src/handlers/directives/password-hash.js';
import { rawRequest, statusCodes } from '../support/raw-http.js';

const run = promisify(execFile);

/** curl -si: the status line and header fields of the response, lower-cased names. */
async function curl(
  args: readonly string[],
): Promise<{ status: number; headers: Map<string, string[]>; body: string }> {
  const { stdout } = await run('curl', ['-s', '-i', '--max-time', '10', ...args]);
  const split = stdout.indexOf('\r\n\r\n');
  const lines = stdout.slice(0, split).split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(lines[0]?.split(' ')[1]), headers, body: stdout.slice(split + 4) };
}

describe('directives', () => {
  let server: RunningServer;
  let base = '';
  let port = 0;

  before(async () => {
    // A cheap cost keeps the test quick; the format is the one `porta hash-password` prints.
    const hash = await hashPassword('open sesame', { n: 1024, r: 8, p: 1 });
    server = await start({
      sites: [
        {
          listen: ['127.0.0.1:0'],
          // Site level: applies to every route below (header edits merge with the route's).
          response_headers: { set: { 'X-Site': 'porta' } },
          routes: [
            { path: '/', respond: { body: 'home' } },
            {
              path: '/private',
              respond: { body: 'secret stuff' },
              basic_auth: { realm: 'Staff', users: [{ user: 'alice', password_hash: hash }] },
            },
            { path: '/denied', respond: { body: 'no' }, deny: ['127.0.0.0/8'] },
            { path: '/v6-only', respond: { body: 'no' }, allow: ['::1'] },
            { path: '/loopback', respond: { body: 'yes' }, allow: ['127.0.0.1', '::1'] },
            { path: '/limited', respond: { body: 'ok' }, rate_limit: { rate: '1r/m', burst: 3 } },
            {
              path: '/api',
              echo: {},
              cors: {
                origins: ['https://app.example'],
                methods: ['GET', 'PUT'],
                credentials: true,
                max_age: '10m',
              },
            },
            {
              path: '/echo',
              echo: {},
              request_headers: { set: { 'X-Added': 'yes' }, remove: ['X-Secret'] },
              response_headers: {
                set: { 'X-Frame-Options': 'DENY' },
                add: { Link: ['</a.css>; rel=preload', '</b.js>; rel=preload'] },
                remove: ['Cache-Control'],
              },
            },
            { path: '/upload', echo: {}, max_body_size: 16 },
            {
              path: '/upload-auth',
              echo: {},
              max_body_size: 16,
              basic_auth: { users: [{ user: 'alice', password_hash: hash }] },
            },
          ],
        },
      ],
      log: { level: 'error', access: 'off' },
    });
    port = server.addresses[0]?.port ?? 0;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await server.stop();
  });

  describe('basic_auth', () => {
    it('answers 401 with a challenge, then 200 with the right password', async () => {
      const anonymous = await fetch(`${base}/private`);
      assert.equal(anonymous.status, 401);
      assert.equal(
        anonymous.headers.get('www-authenticate'),
        'Basic realm="Staff", charset="UTF-8"',
      );
      assert.equal(anonymous.headers.get('x-site'), 'porta');
      await anonymous.text();
      const wrong = await curl(['-u', 'alice:open says me', `${base}/private`]);
      assert.equal(wrong.status, 401);
      const right = await curl(['-u', 'alice:open sesame', `${base}/private`]);
      assert.equal(right.status, 200);
      assert.equal(right.body, 'secret stuff');
      const again = await fetch(`${base}/private`, {
        headers: { authorization: `Basic ${Buffer.from('alice:open sesame').toString('base64')}` },
      });
      assert.equal(again.status, 200);
      assert.equal(await again.text(), 'secret stuff');
    });
  });

  describe('allow and deny', () => {
    it('answers 403 to a denied or unlisted client, and serves an allowed one', async () => {
      assert.equal((await curl([`${base}/denied`])).status, 403);
      assert.equal((await curl([`${base}/v6-only`])).status, 403);
      const allowed = await curl([`${base}/loopback`]);
      assert.equal(allowed.status, 200);
      assert.equal(allowed.body, 'yes');
      assert.equal((await fetch(`${base}/`)).status, 200);
    });
  });

  describe('rate_limit', () => {
    it('lets the burst through, then answers 429 with Retry-After', async () => {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${base}/limited`);
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
        await response.text();
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After: ${retryAfter}`);
      // Other routes are not limited.
      assert.equal((await fetch(`${base}/`)).status, 200);
    });
  });

  describe('cors', () => {
    it('answers a preflight with 204 and the allowed methods', async () => {
      const preflight = await curl([
        '-X',
        'OPTIONS',
        '-H',
        'Origin: https://app.example',
        '-H',
        'Access-Control-Request-Method: PUT',
        '-H',
        'Access-Control-Request-Headers: content-type',
        `${base}/api/items`,
      ]);
      assert.equal(preflight.status, 204);
      assert.deepEqual(preflight.headers.get('access-control-allow-origin'), [
        'https://app.example',
      ]);
      assert.deepEqual(preflight.headers.get('access-control-allow-credentials'), ['true']);
      assert.deepEqual(preflight.headers.get('access-control-allow-methods'), ['GET, PUT']);
      assert.deepEqual(preflight.headers.get('access-control-allow-headers'), ['content-type']);
      assert.deepEqual(preflight.headers.get('access-control-max-age'), ['600']);
      assert.equal(preflight.headers.get('content-length'), undefined);
    });

    it('marks a simple request from an allowed origin, never with "*"', async () => {
      const response = await fetch(`${base}/api/items`, {
        headers: { origin: 'https://app.example' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(response.headers.get('vary'), 'Origin');
      assert.match(await response.text(), /^GET \/api\/items HTTP\/1\.1\r\n/);
    });

    it('sends no CORS fields to another origin', async () => {
      const response = await fetch(`${base}/api/items`, {
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      assert.equal(response.headers.get('vary'), 'Origin');
      await response.text();
    });
  });

  describe('header edits', () => {
    it('edits the response: set, add, remove, merged with the site', async () => {
      const response = await curl([`${base}/echo`]);
      assert.equal(response.status, 200);
      assert.deepEqual(response.headers.get('x-frame-options'), ['DENY']);
      assert.deepEqual(response.headers.get('x-site'), ['porta']);
      assert.deepEqual(response.headers.get('link'), [
        '</a.css>; rel=preload',
        '</b.js>; rel=preload',
      ]);
      assert.equal(response.headers.get('cache-control'), undefined); // echo sends no-store
    });

    it('edits the request the handler sees', async () => {
      const response = await fetch(`${base}/echo`, {
        headers: { accept: 'application/json', 'x-secret': 'hunter2', 'x-added': 'client' },
      });
      const echoed = (await response.json()) as { headers: [string, string][] };
      const names = echoed.headers.map(([name]) => name.toLowerCase());
      assert.ok(!names.includes('x-secret'));
      assert.deepEqual(
        echoed.headers.filter(([name]) => name.toLowerCase() === 'x-added'),
        [['X-Added', 'yes']],
      );
    });
  });

  describe('max_body_size', () => {
    it('answers 413 and closes when Content-Length is over the cap', async () => {
      const raw = await rawRequest(
        port,
        'POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n12345678901234567',
      );
      assert.deepEqual(statusCodes(raw.text), [413]);
      assert.match(raw.text, /\r\nConnection: close\r\n/);
      assert.match(raw.text, /\r\nX-Site: porta\r\n/);
      assert.ok(raw.closed);
      const viaCurl = await curl(['--data-binary', 'x'.repeat(100), `${base}/upload`]);
      assert.equal(viaCurl.status, 413);
    });

    it('lets a body within the cap through, Content-Length or chunked', async () => {
      const response = await fetch(`${base}/upload`, { method: 'POST', body: '0123456789abcdef' });
      assert.equal(response.status, 200);
      assert.match(await response.text(), /\r\n\r\n0123456789abcdef$/);
      const chunked = await rawRequest(
        port,
        'POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n',
      );
      assert.deepEqual(statusCodes(chunked.text), [200]);
      assert.match(chunked.text, /0\r\n\r\n$/);
    });

    it('counts a chunked body as it arrives: 413 before the response starts', async () => {
      // basic_auth checks the password first, so the whole body has arrived by then.
      const auth = Buffer.from('alice:open sesame').toString('base64');
      const raw = await rawRequest(
        port,
        `POST /upload-auth HTTP/1.1\r\nHost: h\r\nAuthorization: Basic ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n`,
      );
      assert.deepEqual(statusCodes(raw.text), [413]);
      assert.ok(raw.closed);
    });

    it('cuts a chunked body that crosses the cap after the response started', async () => {
      const raw = await rawRequest(port, [
        'POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n',
        '10\r\n0123456789abcdef\r\n0\r\n\r\n',
      ]);
      assert.deepEqual(statusCodes(raw.text), [200]);
      // The echo had started streaming; the engine aborts it: no last chunk ever comes.
      assert.doesNotMatch(raw.text, /\r\n0\r\n\r\n$/);
      assert.ok(raw.closed);
    });
  });
});
