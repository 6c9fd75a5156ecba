// End to end: the proxy to https:// upstreams: verified by default, a CA file, SNI, the insecure opt-out, keep-alive, WebSocket, health checks, bad CA files.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { freePort, runPorta, spawnPorta } from '../support/porta-process.js';
import { type TestPki, createTestPki } from '../support/tls-fixtures.js';
import { waitFor } from '../support/wait-for.js';
import { closeAll, proxySite, startPorta } from './proxy-harness.js';

/** An HTTPS backend that says what it saw: SNI, ALPN, path; and counts its TLS connections. */
interface TlsBackend {
  readonly server: Server;
  readonly port: number;
  connections: number;
  /** Paths requested, e.g. health checks. */
  readonly paths: string[];
}

const backends: Server[] = [];
const pkis: TestPki[] = [];

async function startTlsBackend(cert: { certPem: string; keyPem: string }): Promise<TlsBackend> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem });
  const backend: TlsBackend = { server, port: 0, connections: 0, paths: [] };
  server.on('secureConnection', () => {
    backend.connections++;
  });
  server.on('tlsClientError', () => undefined); // porta refusing our certificate: expected
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    backend.paths.push(req.url ?? '');
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) throw new Error('not a TLS socket');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        sni: socket.servername,
        alpn: socket.alpnProtocol,
        path: req.url,
        host: req.headers.host,
        proto: req.headers['x-forwarded-proto'],
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  backends.push(server);
  return Object.assign(backend, { port: (server.address() as AddressInfo).port });
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  const text = await response.text();
  return {
    status: response.status,
    body: response.status === 200 ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

let pki: TestPki;
let stranger: TestPki;
/** Signed by `pki`'s CA for localhost, 127.0.0.1 and upstream.test. */
let trusted: TlsBackend;
/** Signed by a CA nobody trusts (a self-signed development upstream, as far as porta knows). */
let untrusted: TlsBackend;

before(async () => {
  pki = await createTestPki();
  stranger = await createTestPki();
  pkis.push(pki, stranger);
  trusted = await startTlsBackend(
    await pki.issue(['upstream.test', 'localhost', '127.0.0.1'], 'upstream'),
  );
  untrusted = await startTlsBackend(await stranger.issue(['127.0.0.1'], 'dev'));
});

after(async () => {
  await closeAll();
  for (const server of backends) {
    server.closeAllConnections();
    server.close();
  }
  for (const p of pkis) p.remove();
});

describe('proxy to https upstreams', () => {
  it('verifies by default: an unknown CA gets 502 and a log line saying what to set', async () => {
    const { url, logger } = await startPorta(
      proxySite({ to: [`https://127.0.0.1:${trusted.port}`], retries: 0 }),
    );
    const answer = await getJson(`${url}/x`);
    assert.equal(answer.status, 502);
    const line = logger.lines.find((l) => /certificate verify failed/.test(l));
    assert.ok(line, logger.lines.join('\n'));
    assert.match(line, /^WARNING Upstream 127\.0\.0\.1:\d+ failed for GET \/x: tls: /);
    assert.match(line, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.match(line, /tls\.ca/);
  });

  it('trusts a CA file; keeps one TLS connection alive across requests; no SNI for an IP', async () => {
    const before = trusted.connections;
    const { url } = await startPorta(
      proxySite({ to: [`https://127.0.0.1:${trusted.port}/base`], tls: { ca: pki.caPath } }),
    );
    for (let i = 0; i < 5; i++) {
      const answer = await getJson(`${url}/x?i=${i}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.path, `/base/x?i=${i}`);
      assert.equal(answer.body.sni, false); // RFC 6066: an IP is never sent as SNI
      assert.equal(answer.body.alpn, 'http/1.1');
      assert.equal(answer.body.proto, 'http');
    }
    assert.equal(trusted.connections - before, 1);
  });

  it("sends the URL's host name as SNI, or server_name when set, and checks the certificate for it", async () => {
    const byHost = await startPorta(
      proxySite({
        to: [`https://localhost:${trusted.port}`],
        tls: { ca: pki.caPath },
        host_header: 'upstream',
      }),
    );
    const answer = await getJson(`${byHost.url}/`);
    assert.equal(answer.status, 200, byHost.logger.lines.join('\n'));
    assert.equal(answer.body.sni, 'localhost');
    assert.equal(answer.body.host, `localhost:${trusted.port}`);
    const named = await startPorta(
      proxySite({
        to: [`https://127.0.0.1:${trusted.port}`],
        tls: { ca: pki.caPath, server_name: 'upstream.test' },
      }),
    );
    assert.equal((await getJson(`${named.url}/`)).body.sni, 'upstream.test');
    const wrong = await startPorta(
      proxySite({
        to: [`https://127.0.0.1:${trusted.port}`],
        tls: { ca: pki.caPath, server_name: 'elsewhere.test' },
        retries: 0,
      }),
    );
    assert.equal((await getJson(`${wrong.url}/`)).status, 502);
    assert.ok(
      wrong.logger.lines.some((l) => /ERR_TLS_CERT_ALTNAME_INVALID/.test(l)),
      wrong.logger.lines.join('\n'),
    );
  });

  it('insecure_skip_verify accepts a certificate from an unknown CA', async () => {
    const strict = await startPorta(
      proxySite({ to: [`https://127.0.0.1:${untrusted.port}`], retries: 0 }),
    );
    assert.equal((await getJson(`${strict.url}/`)).status, 502);
    const { url } = await startPorta(
      proxySite({
        to: [`https://127.0.0.1:${untrusted.port}`],
        tls: { insecure_skip_verify: true },
      }),
    );
    const answer = await getJson(`${url}/dev`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.path, '/dev');
  });

  it('tunnels a WebSocket to an https upstream', async () => {
    const issued = await pki.issue(['127.0.0.1'], 'ws'); // an IP upstream: checked for the IP
    const server = createServer({ cert: issued.certPem, key: issued.keyPem });
    backends.push(server);
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket, request) => {
      const sni = request.socket instanceof TLSSocket ? request.socket.servername : 'cleartext';
      socket.on('message', (data: Buffer) => {
        socket.send(`${String(sni)}:${data.toString().toUpperCase()}`);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const plain = await startPorta(
      proxySite({ to: [`https://127.0.0.1:${port}`], tls: { ca: pki.caPath } }),
    );
    const ws = new WebSocket(`${plain.url.replace('http', 'ws')}/chat`);
    try {
      await once(ws, 'open');
      ws.send('hello');
      const [reply] = (await once(ws, 'message')) as [Buffer];
      assert.equal(reply.toString(), 'false:HELLO'); // no SNI for an IP, the frames went through TLS
    } finally {
      ws.close();
      wss.close();
    }
  });

  it('health checks speak TLS: a verified upstream is checked, an unverifiable one is logged down', async () => {
    const seen = trusted.paths.length;
    const good = await startPorta(
      proxySite({
        to: [`https://127.0.0.1:${trusted.port}`],
        tls: { ca: pki.caPath },
        health: { path: '/healthz', interval: '1s' },
      }),
    );
    await waitFor(() => trusted.paths.slice(seen).includes('/healthz'), 30_000);
    assert.equal((await getJson(`${good.url}/`)).status, 200);
    const bad = await startPorta(
      proxySite({
        to: [`https://127.0.0.1:${untrusted.port}`],
        health: { path: '/healthz', interval: '1s' },
      }),
    );
    await waitFor(() => bad.logger.lines.some((l) => /is down: health check/.test(l)), 30_000);
    const line = bad.logger.lines.find((l) => /is down: health check/.test(l)) ?? '';
    assert.match(line, /certificate verify failed/);
  });
});

describe('https upstreams in a porta process (2 workers) and porta check', () => {
  it('serves through a verified https upstream with 2 workers', async () => {
    const file = join(pki.dir, 'https-upstream.yaml');
    writeFileSync(
      file,
      `sites:
  - listen: ["127.0.0.1:0"]
    routes:
      - proxy:
          to: ["https://localhost:${trusted.port}"]
          tls: { ca: ${pki.caPath}, server_name: upstream.test }
workers: 2
log: { access: off }
`,
    );
    const porta = await spawnPorta(['run', '-c', file], 30_000);
    try {
      await waitFor(() => /\(2 workers\)/.test(porta.stderr()), 30_000);
      for (let i = 0; i < 4; i++) {
        const answer = await getJson(`${porta.url}/w${i}`);
        assert.equal(answer.status, 200, porta.stderr());
        assert.equal(answer.body.sni, 'upstream.test');
      }
    } finally {
      await porta.stop();
    }
  });

  it('porta proxy --insecure and --upstream-ca (default workers)', async () => {
    const runs: [string, string[]][] = [
      [`https://127.0.0.1:${untrusted.port}`, ['--insecure']],
      [`https://127.0.0.1:${trusted.port}`, ['--upstream-ca', pki.caPath]],
    ];
    for (const [to, flags] of runs) {
      const port = await freePort();
      const porta = await spawnPorta(
        ['proxy', '--host', '127.0.0.1', '--port', String(port), '--to', to, ...flags],
        30_000,
      );
      try {
        await waitFor(() => /\(\d+ workers\)/.test(porta.stderr()), 30_000);
        const answer = await getJson(`http://127.0.0.1:${port}/cli`);
        assert.equal(answer.status, 200, porta.stderr());
        assert.equal(answer.body.path, '/cli');
      } finally {
        await porta.stop();
      }
    }
  });

  it('porta check names the CA file and its key path when it is missing or not PEM', async () => {
    const notPem = join(pki.dir, 'not-a-ca.pem');
    writeFileSync(notPem, 'hello\n');
    const config = (ca: string): string => {
      const file = join(pki.dir, 'bad-ca.yaml');
      writeFileSync(
        file,
        `sites:
  - listen: ["127.0.0.1:0"]
    routes:
      - path: /a
        respond: { body: a }
      - proxy: { to: ["https://127.0.0.1:9"], tls: { ca: ${ca} } }
`,
      );
      return file;
    };
    const missing = await runPorta(['check', '-c', config(join(pki.dir, 'nope.pem'))]);
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /sites\[0\]\.routes\[1\]\.proxy\.tls\.ca: cannot read the CA file .*nope\.pem: ENOENT/,
    );
    const garbage = await runPorta(['check', '-c', config(notPem)]);
    assert.notEqual(garbage.code, 0);
    assert.match(
      garbage.stderr,
      /sites\[0\]\.routes\[1\]\.proxy\.tls\.ca: .*not-a-ca\.pem is not a PEM certificate/,
    );
    const good = await runPorta(['check', '-c', config(pki.caPath)]);
    assert.equal(good.code, 0, good.stderr);
  });
});
