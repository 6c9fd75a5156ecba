// End to end: TLS listeners: SNI picks each site's certificate, TLS 1.2+ only, plain HTTP and garbage, handshake floods, mTLS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type Socket, connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, runPorta, spawnPorta } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';
import { rawRequest } from '../support/raw-http.js';
import { freePort } from '../support/porta-process.js';
import { type TestPki, createTestPki, httpsGet } from '../support/tls-fixtures.js';

const run = promisify(execFile);

async function curl(args: readonly string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '20', ...args]);
  return stdout;
}

function twoSites(pki: TestPki, port: number, workers: number): string {
  return `sites:
  - listen: ["127.0.0.1:${port}"]
    hosts: [a.test, "*.a.test"]
    tls: { cert: ${join(pki.dir, 'a.pem')}, key: ${join(pki.dir, 'a-key.pem')} }
    routes: [{ respond: { body: "site a" } }]
  - listen: ["127.0.0.1:${port}"]
    hosts: [b.test]
    tls: { cert: ${join(pki.dir, 'b.pem')}, key: ${join(pki.dir, 'b-key.pem')} }
    routes: [{ respond: { body: "site b" } }]
timeouts: { handshake: 1s }
workers: ${workers}
log: { access: off }
`;
}

/** Certificates for a.test (with *.a.test) and b.test, and porta serving both on one port. */
async function startTwoSites(
  workers: number,
): Promise<{ pki: TestPki; port: number; porta: PortaProcess }> {
  const pki = await createTestPki();
  await pki.issue(['a.test', '*.a.test'], 'a');
  await pki.issue(['b.test'], 'b');
  const port = await freePort();
  const file = join(pki.dir, 'porta.yaml');
  writeFileSync(file, twoSites(pki, port, workers));
  const porta = await spawnPorta(['run', '-c', file]);
  // The first worker logs its URL before the primary has all workers (and its SIGHUP handler).
  if (workers > 1) await waitFor(() => /\(\d+ workers\)/.test(porta.stderr()), 30_000);
  return { pki, port, porta };
}

/** A ClientHello's first bytes and no more: the server waits for the rest until its deadline. */
const PARTIAL_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03]);
/** A handshake record whose body is nonsense: OpenSSL fails it at once. */
const BOGUS_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 1, 2, 3, 4]);

/**
 * Opens 300 connections that never finish a handshake (silent, a ClientHello cut short, a bogus
 * record), and meanwhile asks for a page 5 times with curl: each answer must come in time. Then
 * every flood socket must have been closed by the server (handshake timeout 1 s), none by us.
 */
async function floodWhileServing(port: number, pki: TestPki): Promise<void> {
  const flood: Socket[] = [];
  const closed: Promise<void>[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const socket = connectTcp(port, '127.0.0.1');
      socket.on('error', () => undefined);
      // Read (and drop) what comes, such as a TLS alert: a paused socket never sees the FIN after it.
      socket.resume();
      closed.push(
        new Promise((resolve) =>
          socket.on('close', () => {
            resolve();
          }),
        ),
      );
      if (i % 3 === 1) socket.write(PARTIAL_HELLO);
      else if (i % 3 === 2) socket.write(BOGUS_HELLO);
      flood.push(socket);
    }
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const body = await curl([
        '--cacert',
        pki.caPath,
        '--resolve',
        `b.test:${port}:127.0.0.1`,
        `https://b.test:${port}/`,
      ]);
      assert.equal(body, 'site b');
      // Generous for a busy machine; a stalled acceptor would wait out the flood's deadlines.
      assert.ok(Date.now() - started < 10_000, `a request took ${Date.now() - started} ms`);
    }
    await Promise.race([
      Promise.all(closed),
      new Promise((_, reject) =>
        setTimeout(() => {
          reject(new Error('flood not closed'));
        }, 20_000),
      ),
    ]);
  } finally {
    for (const socket of flood) socket.destroy();
  }
  assert.equal(await curl(['-k', `https://127.0.0.1:${port}/`]), 'site a');
}

describe('TLS listener, one process', () => {
  let pki: TestPki;
  let porta: PortaProcess | undefined;
  let port = 0;

  before(async () => {
    ({ pki, port, porta } = await startTwoSites(1));
  });

  after(async () => {
    await porta?.stop();
    pki.remove();
  });

  it('logs an https URL', () => {
    assert.match(porta?.stderr() ?? '', new RegExp(`Listening on https://127\\.0\\.0\\.1:${port}`));
  });

  it('picks the certificate by SNI: exact, wildcard, another site (curl --resolve, --cacert)', async () => {
    const get = (host: string) =>
      curl([
        '--cacert',
        pki.caPath,
        '--resolve',
        `${host}:${port}:127.0.0.1`,
        `https://${host}:${port}/`,
      ]);
    assert.equal(await get('a.test'), 'site a');
    assert.equal(await get('shop.a.test'), 'site a');
    assert.equal(await get('b.test'), 'site b');
    // No SNI (an IP address): the first site answers, with its certificate (so -k).
    assert.equal(await curl(['-k', `https://127.0.0.1:${port}/`]), 'site a');
  });

  it('serves node:https trusting the CA, showing each site its own certificate', async () => {
    const a = await httpsGet(port, { ca: pki.caPem, servername: 'a.test' });
    const b = await httpsGet(port, { ca: pki.caPem, servername: 'b.test' });
    assert.deepEqual([a.status, a.body, a.certificateName], [200, 'site a', 'a.test']);
    assert.deepEqual([b.status, b.body, b.certificateName], [200, 'site b', 'b.test']);
  });

  it('speaks TLS 1.3 and 1.2 with intermediate suites, refuses 1.1', async () => {
    const v12 = await new Promise<string>((resolve, reject) => {
      const socket = connectTls({
        port,
        host: '127.0.0.1',
        servername: 'a.test',
        ca: pki.caPem,
        maxVersion: 'TLSv1.2',
      });
      socket.on('secureConnect', () => {
        resolve(`${socket.getProtocol() ?? ''} ${socket.getCipher().name}`);
        socket.destroy();
      });
      socket.on('error', reject);
    });
    // The certificate is RSA: an ECDHE-RSA suite with AES-GCM or ChaCha20.
    assert.match(v12, /^TLSv1\.2 ECDHE-RSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
    const protocol = await new Promise<string>((resolve, reject) => {
      const socket = connectTls({ port, host: '127.0.0.1', servername: 'a.test', ca: pki.caPem });
      socket.on('secureConnect', () => {
        resolve(`${socket.getProtocol() ?? ''} ${socket.getCipher().name}`);
        socket.destroy();
      });
      socket.on('error', reject);
    });
    assert.match(protocol, /^TLSv1\.3 TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)/);
    const old = await new Promise<string>((resolve) => {
      const socket = connectTls({
        port,
        host: '127.0.0.1',
        servername: 'a.test',
        ca: pki.caPem,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.on('secureConnect', () => {
        resolve('connected');
        socket.destroy();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        resolve(error.code ?? error.message);
      });
    });
    assert.notEqual(old, 'connected');
  });

  it('answers plain HTTP with a 400 saying to use https, and garbage with a close', async () => {
    const plain = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    assert.match(plain.text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(plain.text, /use https:\/\//);
    assert.ok(plain.closed);
    const garbage = await rawRequest(port, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a]), {
      waitMs: 5000,
    });
    assert.deepEqual([garbage.text, garbage.closed], ['', true]);
    // A record header that claims a handshake but carries nonsense: OpenSSL fails it.
    const bogus = await rawRequest(port, BOGUS_HELLO, {
      waitMs: 5000,
    });
    assert.ok(bogus.closed || bogus.text.length > 0);
    assert.equal(await curl(['-k', `https://127.0.0.1:${port}/`]), 'site a');
  });

  it('closes silent and half-open handshakes at the deadline; a flood never stalls other clients', async () => {
    await floodWhileServing(port, pki);
  });
});

describe('TLS listener, 2 workers', () => {
  let pki: TestPki;
  let porta: PortaProcess | undefined;
  let port = 0;

  before(async () => {
    ({ pki, port, porta } = await startTwoSites(2));
  });

  after(async () => {
    await porta?.stop();
    pki.remove();
  });

  it('resumes sessions with a ticket on whichever worker takes it, also workers forked by a reload', async () => {
    const connectOnce = (session: Buffer | undefined) =>
      new Promise<{ reused: boolean; session: Buffer | undefined }>((resolve, reject) => {
        let ticket: Buffer | undefined;
        const socket = connectTls({
          port,
          host: '127.0.0.1',
          servername: 'b.test',
          ca: pki.caPem,
          ...(session === undefined ? {} : { session }),
        });
        socket.on('session', (s: Buffer) => (ticket = s));
        socket.on('secureConnect', () => {
          socket.write('GET / HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n');
        });
        socket.on('data', () => undefined);
        socket.on('end', () => {
          resolve({ reused: socket.isSessionReused(), session: ticket });
        });
        socket.on('error', reject);
      });
    const first = await connectOnce(undefined);
    assert.ok(first.session !== undefined);
    let reused = 0;
    for (let i = 0; i < 10; i++) if ((await connectOnce(first.session)).reused) reused++;
    assert.equal(reused, 10);
    // A reload replaces both workers: the new ones got the primary's key, so the old ticket
    // still resumes (with a key of their own, none would).
    porta?.child.kill('SIGHUP');
    await waitFor(() => /Configuration reloaded/.test(porta?.stderr() ?? ''), 30_000);
    reused = 0;
    for (let i = 0; i < 10; i++) if ((await connectOnce(first.session)).reused) reused++;
    assert.equal(reused, 10);
  });

  it('answers plain HTTP with a 400 on every worker; a handshake flood never stalls other clients', async () => {
    for (let i = 0; i < 4; i++) {
      const plain = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
      assert.match(plain.text, /^HTTP\/1\.1 400 Bad Request\r\n[^]*use https:\/\//);
    }
    await floodWhileServing(port, pki);
    assert.doesNotMatch(porta?.stderr() ?? '', /Worker \d+ \(pid \d+\) died/);
  });

  it('serves both sites by SNI', async () => {
    for (let i = 0; i < 10; i++) {
      const host = i % 2 === 0 ? 'a.test' : 'b.test';
      const body = await curl([
        '--cacert',
        pki.caPath,
        '--resolve',
        `${host}:${port}:127.0.0.1`,
        `https://${host}:${port}/`,
      ]);
      assert.equal(body, i % 2 === 0 ? 'site a' : 'site b');
    }
  });
});

describe('TLS client certificates and bad files', () => {
  let pki: TestPki;

  before(async () => {
    pki = await createTestPki();
  });

  after(() => {
    pki.remove();
  });

  it('client_auth: require lets in a client with a certificate from client_ca, no one else', async () => {
    const server = await pki.issue(['m.test'], 'm');
    const client = await pki.issue(['client one'], 'client', 'client');
    const file = join(pki.dir, 'mtls.yaml');
    writeFileSync(
      file,
      `sites:
  - listen: ["127.0.0.1:0"]
    tls: { cert: ${server.certPath}, key: ${server.keyPath}, client_auth: require, client_ca: ${pki.caPath} }
    routes: [{ respond: { body: "inside" } }]
workers: 1
`,
    );
    const porta = await spawnPorta(['run', '-c', file]);
    try {
      const port = Number(new URL(porta.url).port);
      const ok = await httpsGet(port, {
        ca: pki.caPem,
        servername: 'm.test',
        cert: client.certPem,
        key: client.keyPem,
      });
      assert.deepEqual([ok.status, ok.body], [200, 'inside']);
      await assert.rejects(httpsGet(port, { ca: pki.caPem, servername: 'm.test' }));
    } finally {
      await porta.stop();
    }
  });

  it('porta check names the key file that does not match its certificate', async () => {
    const one = await pki.issue(['one.test'], 'one');
    const two = await pki.issue(['two.test'], 'two');
    const file = join(pki.dir, 'mismatch.yaml');
    writeFileSync(
      file,
      `sites:
  - listen: [":8443"]
    tls: { cert: ${one.certPath}, key: ${two.keyPath} }
    routes: [{ respond: { body: "x" } }]
`,
    );
    const result = await runPorta(['check', '-c', file]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      new RegExp(
        `sites\\[0\\]\\.tls: ${two.keyPath.replace(/[.]/g, '\\.')} is not the key of the certificate in`,
      ),
    );
  });
});
