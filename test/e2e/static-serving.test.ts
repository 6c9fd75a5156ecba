// End to end: the static handler's files, types, safety rules, redirects, listings, SPA, error pages, CORS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest, statusCodes } from '../support/raw-http.js';
import { makeSite, startStatic, type StaticServer } from './static-harness.js';

function get(port: number, target: string, headers = ''): Promise<string> {
  return rawRequest(
    port,
    `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`,
  ).then((result) => result.text);
}

function statusOf(text: string): number {
  return statusCodes(text)[0] ?? 0;
}

describe('static files: defaults', () => {
  let site: Awaited<ReturnType<typeof makeSite>>;
  let server: StaticServer;

  before(async () => {
    site = await makeSite();
    server = await startStatic({ root: site.root });
  });
  after(async () => {
    await server.stop();
    await site.remove();
  });

  it('serves the index file with validators, type and nosniff', async () => {
    const response = await fetch(`${server.base}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Fixture home/);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(response.headers.get('etag') ?? '', /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
    assert.match(response.headers.get('last-modified') ?? '', / GMT$/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
  });

  it('names modern types right, with charset=utf-8 for text', async () => {
    const expected: Record<string, string> = {
      '/tiny.wasm': 'application/wasm',
      '/module.mjs': 'text/javascript; charset=utf-8',
      '/site.webmanifest': 'application/manifest+json; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/logo.svg': 'image/svg+xml; charset=utf-8',
      '/docs/readme.md': 'text/markdown; charset=utf-8',
      '/small.bin': 'application/octet-stream',
    };
    for (const [path, type] of Object.entries(expected)) {
      const response = await fetch(server.base + path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), type, path);
      await response.arrayBuffer();
    }
  });

  it('serves an empty file', async () => {
    const response = await fetch(`${server.base}/empty.txt`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), '0');
    assert.equal(await response.text(), '');
  });

  it('decodes percent-encoded names', async () => {
    const response = await fetch(`${server.base}/odd%20names/with%20space.txt`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'space\n');
  });

  it('redirects a directory without its slash, keeping the query (301)', async () => {
    const response = await fetch(`${server.base}/docs/sub?x=1&y=2`, { redirect: 'manual' });
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('location'), '/docs/sub/?x=1&y=2');
    await response.arrayBuffer();
  });

  it('never redirects to another host (//evil.example)', async () => {
    const text = await get(server.port, '//docs');
    assert.equal(statusOf(text), 301);
    assert.match(text, /\r\nLocation: \/docs\/\r\n/i);
  });

  it('answers 404 for a directory without index when listing is off', async () => {
    const response = await fetch(`${server.base}/docs/`);
    assert.equal(response.status, 404);
    await response.arrayBuffer();
  });

  it('answers 404 for a file asked for as a directory', async () => {
    const response = await fetch(`${server.base}/hello.txt/`);
    assert.equal(response.status, 404);
    await response.arrayBuffer();
  });

  it('serves the custom 404 page from the root with status 404', async () => {
    const response = await fetch(`${server.base}/missing.html`);
    assert.equal(response.status, 404);
    assert.match(await response.text(), /Custom not found page/);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('etag'), null);
  });

  it('denies dotfiles and dot-directories but serves /.well-known/', async () => {
    for (const path of ['/.env', '/.git/HEAD', '/.git/', '/env-link.txt', '/%2eenv']) {
      const text = await get(server.port, path);
      assert.equal(statusOf(text), 404, path);
      assert.doesNotMatch(text, /SECRET|refs\/heads/, path);
    }
    const response = await fetch(`${server.base}/.well-known/security.txt`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Contact:/);
  });

  it('follows symlinks inside the root, refuses those leaving it', async () => {
    const inside = await fetch(`${server.base}/inside-link.txt`);
    assert.equal(inside.status, 200);
    assert.equal(await inside.text(), 'hello\n');
    for (const path of ['/escape.txt', '/escape-dir/secret.txt', '/escape-dir/']) {
      const text = await get(server.port, path);
      assert.equal(statusOf(text), 404, path);
      assert.doesNotMatch(text, /outside the root/, path);
    }
  });

  it('refuses traversal in every spelling without leaking a file', async () => {
    const attempts = [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E/%2E%2E/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/docs/..%2f..%2f..%2fetc/passwd',
      '/..%5c..%5c..%5cetc%5cpasswd',
      '/..\\..\\..\\etc\\passwd',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/%252e%252e/%252e%252e/etc/passwd',
      '/hello.txt%00.html',
      '/escape-dir/../../outside/secret.txt',
      '/docs/%2e%2e/%2e%2e/outside/secret.txt',
    ];
    for (const target of attempts) {
      const text = await get(server.port, target);
      const status = statusOf(text);
      assert.ok(status === 400 || status === 404, `${target} -> ${status}`);
      assert.doesNotMatch(text, /root:|outside the root/, target);
    }
  });

  it('answers 405 with Allow for other methods, 204 with Allow for OPTIONS', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${server.base}/hello.txt`, { method, body: 'x' });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
      await response.arrayBuffer();
    }
    const options = await fetch(`${server.base}/hello.txt`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('marks nothing immutable by default and sends no CORS fields', async () => {
    const response = await fetch(`${server.base}/assets/app.3f9a12bc.css`);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    await response.arrayBuffer();
  });
});

describe('static files: listing, SPA, immutable, CORS, route prefix', () => {
  let site: Awaited<ReturnType<typeof makeSite>>;
  let listing: StaticServer;
  let spa: StaticServer;
  let mounted: StaticServer;

  before(async () => {
    site = await makeSite();
    listing = await startStatic({ root: site.root, listing: true, cors: true });
    spa = await startStatic({
      root: site.root,
      spa: true,
      immutable: ['assets/**'],
      cache_control: 'public, max-age=60',
      cors: { origins: ['https://app.example'], credentials: true },
    });
    mounted = await startStatic({ root: site.root, listing: true }, '/files');
  });
  after(async () => {
    await Promise.all([listing.stop(), spa.stop(), mounted.stop()]);
    await site.remove();
  });

  it('lists a folder: folders first, natural order, escaped names, parent link', async () => {
    const response = await fetch(`${listing.base}/docs/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await response.text();
    assert.match(html, /href="\.\.\/"/);
    const order = ['sub/', 'file2.txt', 'file10.txt', 'readme.md'].map((name) =>
      html.indexOf(`>${name}</a>`),
    );
    assert.ok(
      order.every((index) => index > 0),
      'all names listed',
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'folders first, then 2 before 10',
    );

    const odd = await (await fetch(`${listing.base}/odd%20names/`)).text();
    assert.match(odd, /a &lt;b&gt; &amp; &quot;c&quot;\.txt/);
    assert.doesNotMatch(odd, /<b>/);
  });

  it('hides dotfiles from the root listing and has no parent link there', async () => {
    const html = await (await fetch(`${listing.base}/empty-dir/`)).text();
    assert.doesNotMatch(html, /\.keep/);
    const root = await (await fetch(`${listing.base}/docs/sub/`)).text();
    assert.match(root, /nested\.txt/);
  });

  it('lists as JSON for Accept: application/json', async () => {
    const response = await fetch(`${listing.base}/docs/`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = (await response.json()) as {
      path: string;
      entries: { name: string; type: string; size: number }[];
    };
    assert.equal(body.path, '/docs/');
    assert.deepEqual(
      body.entries.map((e) => [e.name, e.type]),
      [
        ['sub', 'directory'],
        ['file2.txt', 'file'],
        ['file10.txt', 'file'],
        ['readme.md', 'file'],
      ],
    );
  });

  it('still prefers an index file over a listing', async () => {
    const html = await (await fetch(`${listing.base}/`)).text();
    assert.match(html, /Fixture home/);
  });

  it('sends CORS fields for any origin with cors: true', async () => {
    const response = await fetch(`${listing.base}/hello.txt`, {
      headers: { origin: 'https://other.example' },
    });
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
    await response.arrayBuffer();
    const preflight = await fetch(`${listing.base}/hello.txt`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://other.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'range',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'range');
  });

  it('echoes a listed origin with credentials, never "*", and varies by Origin', async () => {
    const allowed = await fetch(`${spa.base}/hello.txt`, {
      headers: { origin: 'https://app.example' },
    });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    await allowed.arrayBuffer();
    const other = await fetch(`${spa.base}/hello.txt`, {
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    await other.arrayBuffer();
  });

  it('SPA: navigations to unknown paths get the index with 200; assets still 404', async () => {
    const page = await fetch(`${spa.base}/users/42/profile`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Fixture home/);
    const asset = await fetch(`${spa.base}/app-missing.js`, { headers: { accept: '*/*' } });
    assert.equal(asset.status, 404);
    await asset.arrayBuffer();
    const real = await fetch(`${spa.base}/hello.txt`, { headers: { accept: 'text/html' } });
    assert.equal(await real.text(), 'hello\n', 'real files win');
  });

  it('marks files matching an immutable glob, others get cache_control', async () => {
    const hashed = await fetch(`${spa.base}/assets/app.3f9a12bc.css`);
    assert.equal(hashed.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    await hashed.arrayBuffer();
    const plain = await fetch(`${spa.base}/style.css`);
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=60');
    await plain.arrayBuffer();
  });

  it('serves below a route prefix: files, redirects and listings carry the prefix', async () => {
    const file = await fetch(`${mounted.base}/files/hello.txt`);
    assert.equal(await file.text(), 'hello\n');
    const bare = await fetch(`${mounted.base}/files`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/files/');
    await bare.arrayBuffer();
    const dir = await fetch(`${mounted.base}/files/docs?q=1`, { redirect: 'manual' });
    assert.equal(dir.headers.get('location'), '/files/docs/?q=1');
    await dir.arrayBuffer();
    const html = await (await fetch(`${mounted.base}/files/docs/`)).text();
    assert.match(html, /Index of \/files\/docs\//);
  });
});
