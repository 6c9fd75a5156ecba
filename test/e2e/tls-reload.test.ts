// End to end: certificates reload from disk and on SIGHUP without dropping a connection; bad files keep the old; redirect, HSTS, ACME webroot, proxy proto.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { join } from 'node:path';
import { type TLSSocket, connect as connectTls } from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';
import { freePort } from '../support/porta-process.js';
import { type TestPki, createTestPki, httpsGet } from '../support/tls-fixtures.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);

/** The serial number of the certificate the server shows for r.test. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ port, host: '127.0.0.1', servername: 'r.test', ca });
    socket.on('secureConnect', () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

/** One keep-alive request on an open TLS connection; resolves with the status line. */
function requestOn(socket: TLSSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => {
      resolve(chunk.toString('latin1').split('\r\n')[0] ?? '');
    });
    socket.write('GET / HTTP/1.1\r\nHost: r.test\r\n\r\n');
  });
}

describe('TLS certificates reload; redirect, HSTS, ACME and proxy proto', () => {
  let pki: TestPki;
  let porta: PortaProcess | undefined;
  let backend: Server | undefined;
  let seen: IncomingHttpHeaders = {};
  let port = 0;
  let plainPort = 0;
  let certPath = '';
  let keyPath = '';

  before(async () => {
    pki = await createTestPki();
    ({ certPath, keyPath } = await pki.issue(['r.test'], 'r'));
    backend = createServer((req, res) => {
      seen = req.headers;
      res.end('from backend');
    });
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
    const backendPort = (backend.address() as { port: number }).port;
    port = await freePort();
    plainPort = await freePort();
    const webroot = join(pki.dir, 'webroot');
    mkdirSync(join(webroot, '.well-known', 'acme-challenge'), { recursive: true });
    const file = join(pki.dir, 'porta.yaml');
    writeFileSync(
      file,
      `sites:
  - listen: ["127.0.0.1:${port}"]
    hosts: [r.test]
    tls: { cert: r.pem, key: r-key.pem, redirect_from: ["127.0.0.1:${plainPort}"], hsts: 365d }
    acme_webroot: webroot
    routes:
      - respond: { body: "secure" }
      - path: /api
        proxy: { to: ["127.0.0.1:${backendPort}"] }
workers: 1
log: { access: off }
`,
    );
    porta = await spawnPorta(['run', '-c', file]);
  });

  after(async () => {
    await porta?.stop();
    await new Promise((resolve) => backend?.close(resolve));
    pki.remove();
  });

  it('sends HSTS and tells the upstream the request came over https', async () => {
    const page = await httpsGet(port, { ca: pki.caPem, servername: 'r.test' });
    assert.equal(page.headers['strict-transport-security'], 'max-age=31536000');
    const api = await httpsGet(port, { ca: pki.caPem, servername: 'r.test', path: '/api/x' });
    assert.equal(api.body, 'from backend');
    assert.equal(seen['x-forwarded-proto'], 'https');
    assert.match(String(seen.forwarded), /proto=https/);
  });

  it('redirects cleartext with a 308 keeping host, path and query, but serves ACME tokens', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{redirect_url}',
      '-H',
      'Host: r.test',
      `http://127.0.0.1:${plainPort}/a/b?c=1`,
    ]);
    assert.equal(stdout, `308 https://r.test:${port}/a/b?c=1`);
    writeFileSync(join(pki.dir, 'webroot', '.well-known', 'acme-challenge', 'tok3n'), 'tok3n.key');
    const token = await run('curl', [
      '-sS',
      '-H',
      'Host: r.test',
      `http://127.0.0.1:${plainPort}/.well-known/acme-challenge/tok3n`,
    ]);
    assert.equal(token.stdout, 'tok3n.key');
  });

  it('picks renewed files up from disk without dropping an open connection', async () => {
    const before = await servedSerial(port, pki.caPem);
    const open = connectTls({ port, host: '127.0.0.1', servername: 'r.test', ca: pki.caPem });
    open.on('error', () => undefined);
    try {
      await new Promise((resolve) => open.once('secureConnect', resolve));
      assert.equal(await requestOn(open), 'HTTP/1.1 200 OK');
      const renewed = await pki.issue(['r.test'], 'renewed');
      // Like certbot: key and certificate replaced in place.
      writeFileSync(keyPath, renewed.keyPem);
      writeFileSync(certPath, renewed.certPem);
      await waitFor(async () => (await servedSerial(port, pki.caPem)) !== before, 20_000);
      assert.match(porta?.stderr() ?? '', /Reloaded the certificates of https:/);
      assert.equal(await requestOn(open), 'HTTP/1.1 200 OK');
    } finally {
      open.destroy();
    }
  });

  it('keeps the old certificate when the new files do not match (disk and SIGHUP), naming the file', async () => {
    const current = await servedSerial(port, pki.caPem);
    const other = await pki.issue(['other.test'], 'other');
    writeFileSync(keyPath, other.keyPem);
    await waitFor(() => /cannot be used, keeping the old ones/.test(porta?.stderr() ?? ''), 20_000);
    assert.match(
      porta?.stderr() ?? '',
      new RegExp(`${keyPath.replace(/[.]/g, '\\.')} is not the key`),
    );
    assert.equal(await servedSerial(port, pki.caPem), current);
    porta?.child.kill('SIGHUP');
    await waitFor(() => /Reload failed/.test(porta?.stderr() ?? ''), 20_000);
    assert.match(
      porta?.stderr() ?? '',
      /Reload failed.*sites\[0\]\.tls: .*r-key\.pem is not the key/,
    );
    assert.equal(await servedSerial(port, pki.caPem), current);
    const page = await httpsGet(port, { ca: pki.caPem, servername: 'r.test' });
    assert.equal(page.body, 'secure');
  });
});
