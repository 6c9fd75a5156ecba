// End to end: one table of handler cases (static, proxy, echo, redirect, respond, directives) run over HTTP/1.1 and HTTP/2 (h2c), with curl.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type RunningServer, start } from '../../src/index.js';
import type { RouteInput } from '../../src/config/schema.js';
import { hashPassword } from '../../src/handlers/directives/password-hash.js';
import { type CurlProtocol, type CurlResponse, curl, field } from '../support/curl-client.js';
import { type TestPki, createTestPki } from '../support/tls-fixtures.js';

/** Text large enough to be compressed on the fly. */
const TEXT = 'porta speaks both protocols. '.repeat(200);
/** Binary with a pattern that shows misplaced ranges. */
const BINARY = Buffer.alloc(3 * 1024 * 1024 + 7);
for (let i = 0; i < BINARY.length; i++) BINARY[i] = (i * 31 + (i >> 8)) & 0xff;

interface Context {
  readonly base: string;
  /** The static root (its files double as request bodies). */
  readonly dir: string;
  readonly get: (args: readonly string[]) => Promise<CurlResponse>;
  readonly protocol: CurlProtocol;
}

/** The shared table: each case runs once per protocol against the same server. */
const CASES: Record<string, (c: Context) => Promise<void>> = {
  'static: a whole file, with its length and type': async ({ base, get }) => {
    const r = await get([`${base}/files/page.txt`]);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), TEXT);
    assert.equal(field(r, 'content-length'), String(TEXT.length));
    assert.match(field(r, 'content-type') ?? '', /^text\/plain/);
  },
  'static: a large binary file, sent whole and byte-exact': async ({ base, get }) => {
    const r = await get([`${base}/files/data.bin`]);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(BINARY));
  },
  'static: a range gets 206 with the right bytes': async ({ base, get }) => {
    const r = await get(['-r', '1000-1999999', `${base}/files/data.bin`]);
    assert.equal(r.status, 206);
    assert.equal(field(r, 'content-range'), `bytes 1000-1999999/${BINARY.length}`);
    assert.ok(r.body.equals(BINARY.subarray(1000, 2_000_000)));
  },
  'static: an unsatisfiable range gets 416': async ({ base, get }) => {
    const r = await get(['-r', `${BINARY.length + 10}-`, `${base}/files/data.bin`]);
    assert.equal(r.status, 416);
  },
  'static: If-None-Match with the ETag gets 304 without a body': async ({ base, get }) => {
    const first = await get([`${base}/files/page.txt`]);
    const etag = field(first, 'etag') ?? '';
    assert.notEqual(etag, '');
    const again = await get(['-H', `If-None-Match: ${etag}`, `${base}/files/page.txt`]);
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(field(again, 'etag'), etag);
  },
  'static: HEAD gets the length and no body': async ({ base, get }) => {
    const r = await get(['-I', `${base}/files/page.txt`]);
    assert.equal(r.status, 200);
    assert.equal(field(r, 'content-length'), String(TEXT.length));
    assert.equal(r.body.length, 0);
  },
  'static: gzip on the fly when asked': async ({ base, get }) => {
    const r = await get(['-H', 'Accept-Encoding: gzip', `${base}/files/page.txt`]);
    assert.equal(r.status, 200);
    assert.equal(field(r, 'content-encoding'), 'gzip');
    assert.equal(gunzipSync(r.body).toString(), TEXT);
  },
  'respond: status, fields and body': async ({ base, get }) => {
    const r = await get([`${base}/hello`]);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello\n');
    assert.equal(field(r, 'x-greeting'), 'yes');
    assert.equal(field(r, 'server'), 'porta');
  },
  'redirect: 301 with the path kept': async ({ base, get }) => {
    const r = await get([`${base}/old/a/b?q=1`]);
    assert.equal(r.status, 301);
    assert.equal(field(r, 'location'), 'https://example.com/new/a/b?q=1');
  },
  'echo: the request back, its version and body': async ({ base, get, protocol }) => {
    const r = await get(['--data-binary', 'ping body', `${base}/echo/x?y=1`]);
    assert.equal(r.status, 200);
    const text = r.body.toString();
    const version = protocol === 'http1' ? 'HTTP/1.1' : 'HTTP/2.0';
    assert.ok(text.startsWith(`POST /echo/x?y=1 ${version}\r\n`), text);
    assert.ok(text.endsWith('ping body'), text);
  },
  'proxy: a GET reaches the HTTP/1.1 upstream and comes back': async ({ base, get, protocol }) => {
    const r = await get(['-H', 'Cookie: a=1', `${base}/api/items?id=7`]);
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body.toString()) as Record<string, string>;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/api/items?id=7');
    assert.equal(seen.httpVersion, '1.1');
    assert.equal(seen.cookie, 'a=1');
    assert.match(seen.host ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(seen.via, protocol === 'http1' ? '1.1 porta' : '2.0 porta');
    assert.equal(seen.proto, protocol === 'h2' ? 'https' : 'http');
    assert.equal(field(r, 'x-upstream'), 'node');
  },
  'proxy: a POST body goes up whole': async ({ base, get, dir }) => {
    const r = await get(['--data-binary', `@${join(dir, 'data.bin')}`, `${base}/api/upload`]);
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body.toString()) as Record<string, string>;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.bodyLength, String(BINARY.length));
  },
  'proxy: a large streamed response arrives whole': async ({ base, get }) => {
    const r = await get([`${base}/api/large`]);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(BINARY));
  },
  'proxy: the pooled upstream connection answers again after a large response': async ({
    base,
    get,
  }) => {
    assert.equal((await get([`${base}/api/large`])).body.length, BINARY.length);
    const r = await get([`${base}/api/after`]);
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body.toString()) as Record<string, string>).url, '/api/after');
  },
  'directives: basic_auth 401, then 200 with the password': async ({ base, get }) => {
    const anonymous = await get([`${base}/private`]);
    assert.equal(anonymous.status, 401);
    assert.match(field(anonymous, 'www-authenticate') ?? '', /^Basic realm="Staff"/);
    const right = await get(['-u', 'alice:open sesame', `${base}/private`]);
    assert.equal(right.status, 200);
    assert.equal(right.body.toString(), 'secret');
  },
  'directives: response header edits and request header edits': async ({ base, get }) => {
    const r = await get(['-H', 'X-Secret: s', `${base}/edited/`]);
    assert.equal(r.status, 200);
    assert.equal(field(r, 'x-frame-options'), 'DENY');
    assert.deepEqual(r.headers.get('link'), ['</a.css>; rel=preload', '</b.js>; rel=preload']);
    const text = r.body.toString().toLowerCase();
    assert.ok(text.includes('x-added: yes'), text);
    assert.ok(!text.includes('x-secret'), text);
  },
  'directives: a body over max_body_size gets 413': async ({ base, get }) => {
    const r = await get(['--data-binary', 'y'.repeat(100), `${base}/small`]);
    assert.equal(r.status, 413);
  },
  'router: an unknown path gets 404': async ({ base, get }) => {
    const r = await get([`${base}/nothing-here`]);
    assert.equal(r.status, 404);
  },
};

/** The upstream: tells what it received as JSON, or sends the large binary. */
function upstream(request: IncomingMessage, response: ServerResponse): void {
  let bodyLength = 0;
  request.on('data', (chunk: Buffer) => (bodyLength += chunk.length));
  request.on('end', () => {
    if (request.url === '/api/large') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(BINARY);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'node' });
    response.end(
      JSON.stringify({
        method: request.method,
        url: request.url,
        httpVersion: request.httpVersion,
        host: request.headers.host,
        cookie: request.headers.cookie,
        via: request.headers.via,
        proto: request.headers['x-forwarded-proto'],
        bodyLength: String(bodyLength),
      }),
    );
  });
}

describe('handlers over HTTP/1.1 and HTTP/2 (one table)', () => {
  let server: RunningServer | null = null;
  let backend: Server | null = null;
  let dir = '';
  let base = '';
  let tlsBase = '';
  let pki: TestPki | null = null;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'porta-h1h2-'));
    await writeFile(join(dir, 'page.txt'), TEXT);
    await writeFile(join(dir, 'data.bin'), BINARY);
    backend = createServer(upstream);
    backend.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (backend.address() as AddressInfo).port;
    const hash = await hashPassword('open sesame', { n: 1024, r: 8, p: 1 });
    pki = await createTestPki();
    const leaf = await pki.issue(['localhost', '127.0.0.1'], 'leaf');
    // The same routes on a cleartext listener (HTTP/1.1 and h2c) and on a TLS one (h2 by ALPN).
    const routes: RouteInput[] = [
      { path: '/files', static: { root: dir } },
      { path: '/hello', respond: { body: 'hello\n', headers: { 'X-Greeting': 'yes' } } },
      {
        path: '/old',
        redirect: { to: 'https://example.com/new', status: 301, keep_path: true },
      },
      { path: '/echo', echo: {} },
      { path: '/api', proxy: { to: [`http://127.0.0.1:${upstreamPort}`] } },
      {
        path: '/private',
        respond: { body: 'secret' },
        basic_auth: { realm: 'Staff', users: [{ user: 'alice', password_hash: hash }] },
      },
      {
        path: '/edited',
        echo: {},
        request_headers: { set: { 'X-Added': 'yes' }, remove: ['X-Secret'] },
        response_headers: {
          set: { 'X-Frame-Options': 'DENY' },
          add: { Link: ['</a.css>; rel=preload', '</b.js>; rel=preload'] },
        },
      },
      { path: '/small', echo: {}, max_body_size: 16 },
    ];
    server = await start({
      sites: [
        { listen: ['127.0.0.1:0'], http2: 'h2c', routes },
        { listen: ['127.0.0.1:0'], tls: { cert: leaf.certPath, key: leaf.keyPath }, routes },
      ],
      limits: { max_body_size: '16m' },
      log: { level: 'error', access: 'off' },
    });
    base = `http://127.0.0.1:${server.addresses[0]?.port ?? 0}`;
    tlsBase = `https://127.0.0.1:${server.addresses[1]?.port ?? 0}`;
  });

  after(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => {
      if (backend === null) resolve();
      else
        backend.close(() => {
          resolve();
        });
    });
    await rm(dir, { recursive: true, force: true });
    pki?.remove();
  });

  const TITLES: Record<'http1' | 'h2c' | 'h2', string> = {
    http1: 'HTTP/1.1',
    h2c: 'HTTP/2 (h2c, prior knowledge)',
    h2: 'HTTP/2 over TLS (ALPN h2)',
  };
  for (const protocol of ['http1', 'h2c', 'h2'] as const) {
    describe(TITLES[protocol], () => {
      for (const [name, run] of Object.entries(CASES)) {
        it(name, async () => {
          const get = async (args: readonly string[]): Promise<CurlResponse> => {
            const response = await curl(protocol, args);
            assert.equal(response.version, protocol === 'http1' ? '1.1' : '2');
            return response;
          };
          await run({ base: protocol === 'h2' ? tlsBase : base, dir, get, protocol });
        });
      }
    });
  }
});
