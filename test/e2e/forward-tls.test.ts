// End to end: TLS on forward listeners: a TLS client through to a cleartext TCP echo, bad handshakes that cost only themselves, the CLI flags, porta check.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { freePort, runPorta, spawnPorta } from '../support/porta-process.js';
import { rawRequest } from '../support/raw-http.js';
import { type TestPki, createTestPki } from '../support/tls-fixtures.js';
import { waitFor } from '../support/wait-for.js';
import { closeAll, startPorta } from './proxy-harness.js';

const servers: Server[] = [];
let pki: TestPki;
let cert: { certPath: string; keyPath: string };
/** A cleartext TCP echo; `seen` keeps what it received, to show the bytes arrived decrypted. */
let echoPort: number;
const seen: Buffer[] = [];

before(async () => {
  pki = await createTestPki();
  cert = await pki.issue(['forward.test', '127.0.0.1'], 'forward');
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      seen.push(chunk);
      socket.write(chunk);
    });
    socket.on('end', () => socket.end());
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  echoPort = (server.address() as AddressInfo).port;
});

after(async () => {
  await closeAll();
  for (const server of servers) server.close();
  pki.remove();
});

/** Sends `text` over TLS trusting the test CA and resolves with the echo of it. */
function echoOverTls(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({
      host: '127.0.0.1',
      port,
      ca: pki.caPem,
      servername: 'forward.test',
    });
    let got = '';
    socket.setEncoding('utf8');
    socket.once('secureConnect', () => socket.write(text));
    socket.on('data', (chunk: string) => {
      got += chunk;
      if (got.length >= text.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no echo within 20 s (got "${got}")`));
    }, 20_000).unref();
  });
}

describe('forward with tls, one process', () => {
  let port = 0;

  before(async () => {
    const { url } = await startPorta({
      streams: [
        {
          listen: ['127.0.0.1:0'],
          forward: {
            to: [`127.0.0.1:${echoPort}`],
            tls: { cert: cert.certPath, key: cert.keyPath },
          },
        },
      ],
      timeouts: { handshake: '1s' },
    });
    port = Number(new URL(url).port);
  });

  it('terminates TLS and forwards the cleartext bytes to a TCP echo', async () => {
    seen.length = 0;
    assert.equal(await echoOverTls(port, 'hello through TLS'), 'hello through TLS');
    assert.equal(Buffer.concat(seen).toString(), 'hello through TLS');
  });

  it('survives handshake garbage, a silent client, a refused certificate and plain HTTP', async () => {
    const garbage = await rawRequest(
      port,
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 1, 2, 3, 4]),
      {
        waitMs: 5000,
      },
    );
    assert.ok(garbage.closed);
    const silent = connect(port, '127.0.0.1');
    silent.on('error', () => undefined);
    await once(silent, 'close'); // closed by the handshake deadline (1 s), not by us
    const plain = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(plain.closed);
    // A client that does not trust the certificate aborts the handshake.
    const refused = await new Promise<string>((resolve) => {
      const socket: Socket = connectTls({ host: '127.0.0.1', port, servername: 'forward.test' });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        resolve(error.code ?? error.message);
      });
      socket.on('secureConnect', () => {
        resolve('connected');
      });
    });
    assert.notEqual(refused, 'connected');
    assert.equal(await echoOverTls(port, 'still here'), 'still here');
  });
});

describe('porta forward --tls-cert (2 workers) and porta check', () => {
  it('serves TLS clients from the CLI flags', async () => {
    const listen = await freePort();
    const porta = await spawnPorta(
      [
        'forward',
        `127.0.0.1:${listen}:127.0.0.1:${echoPort}`,
        '--tls-cert',
        cert.certPath,
        '--tls-key',
        cert.keyPath,
      ],
      30_000,
    );
    try {
      // workers: auto is the default for porta forward (2 on the test machines).
      await waitFor(() => /\(\d+ workers\)/.test(porta.stderr()), 30_000);
      assert.match(porta.stderr(), /TLS terminated here/);
      for (let i = 0; i < 4; i++) {
        assert.equal(await echoOverTls(listen, `ping ${i}`), `ping ${i}`);
      }
    } finally {
      await porta.stop();
    }
  });

  it('porta check names the forward and the file when the key does not match', async () => {
    const other = await pki.issue(['other.test'], 'other');
    const file = join(pki.dir, 'forward-bad.yaml');
    writeFileSync(
      file,
      `streams:
  - listen: ["127.0.0.1:0"]
    forward:
      to: ["127.0.0.1:9"]
      tls: { cert: ${cert.certPath}, key: ${other.keyPath} }
`,
    );
    const result = await runPorta(['check', '-c', file]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /streams\[0\]\.forward\.tls: .*other-key\.pem is not the key of the certificate in .*forward\.pem/,
    );
  });
});
