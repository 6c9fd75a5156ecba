// End to end with curl: ranges, conditionals, compression, HEAD and traversal attempts (--path-as-is).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makeSite, startStatic, type StaticServer } from './static-harness.js';

const run = promisify(execFile);

interface CurlResult {
  readonly status: number;
  /** The response head, lower-cased. */
  readonly headers: string;
}

/** Runs curl (never in a synchronous call: the server runs in this process), returning the head. */
async function curl(args: readonly string[]): Promise<CurlResult> {
  const { stdout } = await run(
    'curl',
    ['-sS', '--max-time', '20', '-D', '-', '-o', '/dev/null', ...args],
    {
      encoding: 'latin1',
    },
  );
  const headers = stdout.toLowerCase();
  const status = Number(/^http\/1\.1 (\d{3})/.exec(headers)?.[1]);
  return { status, headers };
}

/** Runs curl and returns the body bytes only (to a pipe). */
async function curlBody(args: readonly string[]): Promise<Buffer> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '20', ...args], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

describe('static files with curl', () => {
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

  it('downloads whole files byte for byte', async () => {
    for (const name of ['large.bin', 'large.txt', 'index.html']) {
      const body = await curlBody([`${server.base}/${name}`]);
      assert.deepEqual(body, await readFile(join(site.root, name)), name);
    }
  });

  it('ranges: -r single, suffix and multiple', async () => {
    const original = await readFile(join(site.root, 'large.bin'));
    const single = await curlBody(['-r', '100-199', `${server.base}/large.bin`]);
    assert.deepEqual(single, original.subarray(100, 200));
    const suffix = await curlBody(['-H', 'Range: bytes=-1000', `${server.base}/large.bin`]);
    assert.deepEqual(suffix, original.subarray(original.length - 1000));
    const multi = await curl(['-r', '0-9,20-29', `${server.base}/large.bin`]);
    assert.equal(multi.status, 206);
    assert.match(multi.headers, /content-type: multipart\/byteranges; boundary=/);
  });

  it('resumes a partial download with -C (continue-at)', async () => {
    const original = await readFile(join(site.root, 'large.txt'));
    const rest = await curlBody(['-C', '1000000', `${server.base}/large.txt`]);
    assert.deepEqual(rest, original.subarray(1_000_000));
  });

  it('conditionals: -z date and If-None-Match give 304', async () => {
    const first = await curl([`${server.base}/hello.txt`]);
    const etag = /etag: (".*")/.exec(first.headers)?.[1] ?? '';
    const tag = await curl(['-H', `If-None-Match: ${etag}`, `${server.base}/hello.txt`]);
    assert.equal(tag.status, 304);
    const date = /last-modified: (.*)\r\n/.exec(first.headers)?.[1] ?? '';
    const since = await curl(['-z', date, `${server.base}/hello.txt`]);
    assert.equal(since.status, 304);
  });

  it('compression: --compressed decodes brotli/gzip to the original', async () => {
    const original = await readFile(join(site.root, 'large.txt'));
    const head = await curl(['--compressed', `${server.base}/text.txt`]);
    assert.match(head.headers, /content-encoding: (br|gzip)/);
    assert.match(head.headers, /vary: accept-encoding/);
    const body = await curlBody(['--compressed', `${server.base}/large.txt`]);
    assert.deepEqual(body, original);
  });

  it('HEAD (-I) has the headers and no body', async () => {
    const head = await curl(['-I', `${server.base}/large.bin`]);
    assert.equal(head.status, 200);
    assert.match(head.headers, /content-length: 2097157/);
    const body = await curlBody(['-I', `${server.base}/large.bin`]);
    assert.doesNotMatch(body.toString('latin1'), /\r\n\r\n./s);
  });

  it('traversal attempts sent verbatim (--path-as-is) never leak', async () => {
    for (const path of [
      '/../../../../etc/passwd',
      '/docs/../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/..%5c..%5cetc%5cpasswd',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/escape-dir/secret.txt',
      '/.env',
    ]) {
      const result = await curl(['--path-as-is', `${server.base}${path}`]);
      assert.ok(result.status === 400 || result.status === 404, `${path} -> ${result.status}`);
      const body = await curlBody(['--path-as-is', `${server.base}${path}`]);
      assert.doesNotMatch(body.toString('latin1'), /root:|outside the root|SECRET/, path);
    }
  });
});
