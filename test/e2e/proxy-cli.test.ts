// End to end: `porta proxy` as a process: serves through the same path as a config, and streams 1 GiB each way in bounded memory.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, runPorta, spawnPorta } from '../support/porta-process.js';
import { type Backend, closeAll, startBackend } from './proxy-harness.js';

const MIB = 1024 * 1024;
const GIB_IN_MIB = 1024;

/** Peak resident memory of a process in MiB (VmHWM), from /proc. */
function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? Number.NaN : Number(match[1]) / 1024;
}

/** The n-th MiB of the test stream: a block whose first bytes say which one it is. */
function block(n: number, base: Buffer): Buffer {
  base.writeUInt32BE(n, 0);
  return base;
}

describe('porta proxy (CLI process)', () => {
  let porta: PortaProcess;
  let backend: Backend;
  let port = 0;

  before(async () => {
    const base = Buffer.alloc(MIB, 0x61);
    backend = await startBackend('big', (req, res) => {
      if (req.url === '/download') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-backend': 'big' });
        let n = 0;
        const pump = (): void => {
          while (n < GIB_IN_MIB) {
            if (!res.write(Buffer.from(block(n++, base)))) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return;
      }
      if (req.url === '/upload') {
        const hash = createHash('sha256');
        let bytes = 0;
        req.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.length;
        });
        req.on('end', () => {
          res.writeHead(200, { 'x-backend': 'big' }).end(`${bytes} ${hash.digest('hex')}`);
        });
        return;
      }
      res.writeHead(200, { 'x-backend': 'big' }).end('hello via cli');
    });
    porta = await spawnPorta([
      'proxy',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--to',
      backend.url,
      '--access-log',
      'off',
    ]);
    port = Number(new URL(porta.url).port);
  });

  after(async () => {
    await porta.stop();
    await closeAll();
  });

  it('proxies a request', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(await response.text(), 'hello via cli');
    assert.equal(response.headers.get('x-backend'), 'big');
  });

  it('--print-config shows the config it runs', async () => {
    const result = await runPorta([
      'proxy',
      '--to',
      'http://app:3000',
      '--balance',
      'ip-hash',
      '--print-config',
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /proxy:\n\s+to:\n\s+- http:\/\/app:3000\n\s+balance: ip-hash/);
  });

  it('streams a 1 GiB download and a 1 GiB upload intact in bounded memory', async () => {
    const expected = createHash('sha256');
    const base = Buffer.alloc(MIB, 0x61);
    for (let n = 0; n < GIB_IN_MIB; n++) expected.update(block(n, base));
    const digest = expected.digest('hex');

    const downloaded = await new Promise<{ bytes: number; hash: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/download' }, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.length;
        });
        res.on('end', () => {
          resolve({ bytes, hash: hash.digest('hex') });
        });
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    assert.deepEqual(downloaded, { bytes: GIB_IN_MIB * MIB, hash: digest });

    const uploaded = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/upload',
          method: 'POST',
          headers: { 'content-length': GIB_IN_MIB * MIB },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => {
            resolve(text);
          });
        },
      );
      req.on('error', reject);
      let n = 0;
      const upBase = Buffer.alloc(MIB, 0x61);
      const pump = (): void => {
        while (n < GIB_IN_MIB) {
          if (!req.write(Buffer.from(block(n++, upBase)))) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    assert.equal(uploaded, `${GIB_IN_MIB * MIB} ${digest}`);
    const peak = peakRssMiB(porta.child.pid ?? 0);
    assert.ok(peak < 200, `porta peaked at ${peak.toFixed(0)} MiB for 2 GiB through it`);
  });
});
