// End to end: one process loads TLS, the directives and TCP stream listeners only when its config
// uses them (a reload without them loads none either); a reload that brings them in serves them
// at once, and a reload that takes them away serves on without. node:zlib loads with the first
// response that is compressed.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadedModules, recordModules } from '../support/module-record.js';
import { type PortaProcess, freePort, isListening, spawnPorta } from '../support/porta-process.js';
import { type TestPki, createTestPki, httpsGet } from '../support/tls-fixtures.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A plain site on `plainPort`; with `extras`, directives on it, a TLS site on `tlsPort` and a TCP
 * echo on `echoPort`.
 */
function config(plainPort: number, tlsPort: number, echoPort: number, extras: boolean): string {
  const plain = [
    `  - listen: ["127.0.0.1:${plainPort}"]`,
    ...(extras ? ['    response_headers: { set: { X-Directive: "on" } }'] : []),
    '    routes:',
    ...(extras
      ? [
          '      - { path: /limited, respond: { body: "limited" }, rate_limit: { rate: "1r/m", burst: 1 } }',
        ]
      : []),
    '      - respond: { body: "plain" }',
  ];
  const secure = [
    `  - listen: ["127.0.0.1:${tlsPort}"]`,
    '    hosts: [localhost]',
    '    tls: { cert: leaf.pem, key: leaf-key.pem }',
    '    routes:',
    '      - respond: { body: "secure" }',
  ];
  return [
    'workers: 1',
    'log: { access: "off" }',
    'sites:',
    ...plain,
    ...(extras ? secure : []),
    ...(extras ? ['streams:', `  - listen: ["127.0.0.1:${echoPort}"]`, '    echo: {}'] : []),
    '',
  ].join('\n');
}

/** Status, X-Directive and body of a GET over a fresh connection. */
async function get(url: string): Promise<[number, string | null, string]> {
  const response = await fetch(url, { headers: { connection: 'close' } });
  return [response.status, response.headers.get('x-directive'), await response.text()];
}

/** Code a plain config without directives never needs (by name, whatever the build bundles). */
const TLS_OR_DIRECTIVES = /^node:tls$|\/net\/tls-acceptor\.ts$|\/handlers\/directives\//;
/** The TCP echo and forward listeners' code. */
const STREAMS = /\/runtime\/stream-listener\.ts$/;

/** A GET with `Accept-Encoding: gzip`: its Content-Encoding and the raw (still coded) body. */
function gzipGet(url: string): Promise<[string | undefined, Buffer]> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent: false, headers: { 'accept-encoding': 'gzip' } });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve([response.headers['content-encoding'], Buffer.concat(chunks)]);
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** What a TCP echo at `port` sends back for `text` (the client half-closes after writing). */
function echoed(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end(text);
    });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.once('close', () => {
      resolve(reply);
    });
    socket.once('error', reject);
  });
}

describe('code loaded on first use', () => {
  let pki: TestPki;
  before(async () => {
    pki = await createTestPki();
    await pki.issue(['localhost'], 'leaf');
  });
  after(() => {
    pki.remove();
  });

  it('porta run (one process): plain HTTP, a reload adds TLS, directives and a TCP echo, another takes them away', async () => {
    const plainPort = await freePort();
    const tlsPort = await freePort();
    const echoPort = await freePort();
    const file = join(pki.dir, 'porta.yaml');
    const write = (extras: boolean): void => {
      writeFileSync(file, config(plainPort, tlsPort, echoPort, extras));
    };
    write(false);
    const { modules, env } = recordModules(pki.dir, 'modules');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['run', '-c', file], 60_000, { env });
      const running = porta;
      const pid = running.child.pid ?? 0;
      const plain = `http://127.0.0.1:${plainPort}`;
      assert.deepEqual(await get(`${plain}/`), [200, null, 'plain']);
      const atStart = loadedModules(modules).get(pid) ?? [];
      assert.ok(atStart.length > 0, 'recorded');
      assert.deepEqual(
        atStart.filter((url) => TLS_OR_DIRECTIVES.test(url) || STREAMS.test(url)),
        [],
      );

      // A reload of a config without streams loads no stream listener code either.
      const reloads = (): number => running.stderr().split('Configuration reloaded').length - 1;
      running.child.kill('SIGHUP');
      await waitFor(() => reloads() === 1, 30_000);
      assert.deepEqual(
        (loadedModules(modules).get(pid) ?? []).filter((url) => STREAMS.test(url)),
        [],
      );

      write(true);
      running.child.kill('SIGHUP');
      await waitFor(() => reloads() === 2, 30_000);
      const secure = await httpsGet(tlsPort, { ca: pki.caPem, servername: 'localhost' });
      assert.deepEqual([secure.status, secure.body], [200, 'secure']);
      assert.deepEqual(await get(`${plain}/`), [200, 'on', 'plain']);
      assert.deepEqual(await get(`${plain}/limited`), [200, 'on', 'limited']);
      assert.equal((await get(`${plain}/limited`))[0], 429);
      const loaded = loadedModules(modules).get(pid) ?? [];
      assert.ok(loaded.includes('node:tls'), 'node:tls loaded by the reload');
      assert.equal(await echoed(echoPort, 'ping'), 'ping');

      write(false);
      running.child.kill('SIGHUP');
      await waitFor(() => reloads() === 3, 30_000);
      assert.deepEqual(await get(`${plain}/`), [200, null, 'plain']);
      assert.deepEqual(await get(`${plain}/limited`), [200, null, 'plain']);
      await waitFor(async () => !(await isListening(tlsPort)), 30_000);
      await waitFor(async () => !(await isListening(echoPort)), 30_000);
    } finally {
      await porta?.stop();
    }
  });

  it('porta serve loads node:zlib with the first compressed response', async () => {
    const site = join(pki.dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), 'small');
    const text = 'porta compresses text it serves. '.repeat(400);
    writeFileSync(join(site, 'big.txt'), text);
    const { modules, env } = recordModules(pki.dir, 'zlib-modules');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['serve', site, '--host', '127.0.0.1', '--port', '0'], 60_000, {
        env,
      });
      const pid = porta.child.pid ?? 0;
      // Too small to compress: answered without zlib.
      const [coding, body] = await gzipGet(`${porta.url}/`);
      assert.deepEqual([coding, body.toString()], [undefined, 'small']);
      const loaded = (): string[] => loadedModules(modules).get(pid) ?? [];
      assert.ok(loaded().length > 0, 'recorded');
      assert.ok(!loaded().includes('node:zlib'), 'node:zlib loaded before any compression');
      const [bigCoding, coded] = await gzipGet(`${porta.url}/big.txt`);
      assert.equal(bigCoding, 'gzip');
      assert.equal(gunzipSync(coded).toString(), text);
      assert.ok(coded.length < text.length / 10, `${coded.length} bytes`);
      assert.ok(loaded().includes('node:zlib'), 'node:zlib loaded by the compressed response');
    } finally {
      await porta?.stop();
    }
  });
});
