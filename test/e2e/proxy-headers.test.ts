// End to end: what the upstream sees (hop-by-hop gone, forwarding fields, Via, Host, paths) and what the client gets back.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { closeAll, proxySite, startBackend, startPorta } from './proxy-harness.js';

after(closeAll);

interface Seen {
  url: string;
  headers: Record<string, string>;
  rawHeaders: string[];
  body: string;
}

/** A request with exactly these headers (node:http lets us send Connection and friends). */
function send(
  url: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        headers,
        method: body === undefined ? 'GET' : 'POST',
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('porta proxy: headers', () => {
  it('drops hop-by-hop fields and those Connection names; adds X-Forwarded-*, Forwarded and Via', async () => {
    const backend = await startBackend('b');
    const { url } = await startPorta(proxySite({ to: [backend.url] }));
    const response = await send(url, '/p?q=1', {
      Host: 'shop.example:8443',
      Connection: 'keep-alive, X-Secret',
      'X-Secret': 'hop',
      'Keep-Alive': 'timeout=5',
      TE: 'trailers',
      'Proxy-Authorization': 'Basic Zm9vOmJhcg==',
      'X-Forwarded-For': '6.6.6.6',
      Forwarded: 'for=6.6.6.6',
      'X-Custom': 'kept',
      Via: '1.0 edge',
    });
    assert.equal(response.status, 200);
    const seen = JSON.parse(response.text) as Seen;
    assert.equal(seen.url, '/p?q=1');
    for (const name of ['x-secret', 'keep-alive', 'te', 'proxy-authorization']) {
      assert.equal(seen.headers[name], undefined, `${name} must not reach the upstream`);
    }
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.equal(seen.headers.host, 'shop.example:8443');
    // 127.0.0.1 is not a trusted proxy: what it claims is replaced, not extended.
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'shop.example:8443');
    assert.equal(seen.headers.forwarded, 'for=127.0.0.1;host="shop.example:8443";proto=http');
    assert.equal(seen.headers.via, '1.0 edge, 1.1 porta');
  });

  it('keeps and extends the forwarding fields of a trusted proxy', async () => {
    const backend = await startBackend('b');
    const { url } = await startPorta(
      proxySite({ to: [backend.url], trusted_proxies: ['127.0.0.0/8', '10.0.0.0/8'] }),
    );
    const response = await send(url, '/', {
      Host: 'inner',
      'X-Forwarded-For': '203.0.113.7, 10.1.2.3',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'www.example.com',
      Forwarded: 'for=203.0.113.7;proto=https',
    });
    const seen = JSON.parse(response.text) as Seen;
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 10.1.2.3, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-host'], 'www.example.com');
    assert.equal(
      seen.headers.forwarded,
      'for=203.0.113.7;proto=https, for=127.0.0.1;host=inner;proto=http',
    );
  });

  it('host_header: upstream sends the upstream name; a fixed value too; strip_prefix and a base path', async () => {
    const backend = await startBackend('b');
    const upstream = await startPorta(
      proxySite({ to: [`${backend.url}/base`], host_header: 'upstream', strip_prefix: '/api' }),
    );
    const seen = JSON.parse(
      (await send(upstream.url, '/api/users/7?x=1', { Host: 'front' })).text,
    ) as Seen;
    assert.equal(seen.headers.host, `127.0.0.1:${backend.port}`);
    assert.equal(seen.url, '/base/users/7?x=1');
    const fixed = await startPorta(
      proxySite({ to: [backend.url], host_header: 'app.internal', via: false }),
    );
    const seenFixed = JSON.parse((await send(fixed.url, '/other', { Host: 'front' })).text) as Seen;
    assert.equal(seenFixed.headers.host, 'app.internal');
    assert.equal(seenFixed.url, '/other');
    assert.equal(seenFixed.headers.via, undefined);
  });

  it('a route prefix with strip_prefix serves /api from the upstream next to other routes', async () => {
    const backend = await startBackend('api');
    const { url } = await startPorta({
      sites: [
        {
          listen: ['127.0.0.1:0'],
          routes: [
            { path: '/', respond: { body: 'front page' } },
            { path: '/api', proxy: { to: [backend.url], strip_prefix: '/api' } },
          ],
        },
      ],
    });
    assert.equal((await send(url, '/', {})).text, 'front page');
    const seen = JSON.parse((await send(url, '/api/items', {})).text) as Seen;
    assert.equal(seen.url, '/items');
  });

  it('strips hop-by-hop response fields and the ones the response Connection names', async () => {
    const backend = await startBackend('b', (_req, res) => {
      res.writeHead(200, {
        Connection: 'keep-alive, X-Internal',
        'X-Internal': 'secret',
        'Keep-Alive': 'timeout=30',
        'X-Public': 'yes',
        Server: 'backend/1.0',
      });
      res.end('body');
    });
    const { url } = await startPorta(proxySite({ to: [backend.url] }));
    const response = await send(url, '/', {});
    assert.equal(response.text, 'body');
    assert.equal(response.headers['x-internal'], undefined);
    assert.equal(response.headers['keep-alive'], undefined);
    assert.equal(response.headers['x-public'], 'yes');
    assert.equal(response.headers.server, 'porta');
  });

  it('passes chunked bodies both ways and drops response trailers (RFC 9112 §7.1.2)', async () => {
    const backend = await startBackend('b', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Checksum' });
        res.write('echo:');
        res.write(Buffer.concat(chunks));
        res.addTrailers({ 'X-Checksum': 'abc' });
        res.end();
      });
    });
    const { url } = await startPorta(proxySite({ to: [backend.url] }));
    const response = await send(url, '/', { 'Transfer-Encoding': 'chunked' }, 'streamed body');
    assert.equal(response.text, 'echo:streamed body');
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    assert.equal(response.headers.trailer, undefined);
  });

  it('HEAD keeps the upstream Content-Length and sends no body; 304 and 204 pass as they are', async () => {
    const backend = await startBackend('b', (req, res) => {
      if (req.url === '/304') res.writeHead(304, { ETag: '"v1"' }).end();
      else if (req.url === '/204') res.writeHead(204).end();
      else
        res
          .writeHead(200, { 'Content-Length': '11' })
          .end(req.method === 'HEAD' ? undefined : 'hello world');
    });
    const { url } = await startPorta(proxySite({ to: [backend.url] }));
    const head = await new Promise<{ status: number; length: string | undefined }>(
      (resolve, reject) => {
        const target = new URL(url);
        request({ host: target.hostname, port: target.port, method: 'HEAD', path: '/' }, (res) => {
          res.resume();
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'] });
          });
        })
          .on('error', reject)
          .end();
      },
    );
    assert.deepEqual(head, { status: 200, length: '11' });
    const notModified = await send(url, '/304', {});
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.etag, '"v1"');
    assert.equal((await send(url, '/204', {})).status, 204);
  });
});
