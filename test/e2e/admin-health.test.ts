// End to end: the admin listener's /healthz and /readyz, in one process and with 2 workers;
// /readyz turns 503 while a graceful stop drains a request in flight; non-loopback needs a guard.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { adminUrl } from '../support/admin-url.js';
import { type PortaProcess, runPorta, spawnPorta } from '../support/porta-process.js';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function status(url: string, init?: RequestInit): Promise<{ code: number; body: string }> {
  const response = await fetch(url, init);
  return { code: response.status, body: await response.text() };
}

/** An upstream that answers /slow only when told: a request kept in flight on purpose. */
async function holdingUpstream(): Promise<{
  server: Server;
  port: number;
  holding(): number;
  release(): void;
}> {
  const held: (() => void)[] = [];
  const server = createServer((req, res) => {
    req.resume();
    held.push(() => res.end('finally\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    holding: () => held.length,
    release: () => {
      for (const answer of held.splice(0)) answer();
    },
  };
}

describe('admin listener: health', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-admin-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const workers of [1, 2]) {
    it(`answers /healthz and /readyz, and /readyz is 503 during a drain (${workers} worker(s))`, async () => {
      const upstream = await holdingUpstream();
      const file = join(dir, `drain-${workers}.yaml`);
      writeFileSync(
        file,
        `sites:
  - listen: ["127.0.0.1:0"]
    routes:
      - proxy: { to: ["http://127.0.0.1:${upstream.port}"] }
admin: 127.0.0.1:0
workers: ${workers}
timeouts: { shutdown: 30s }
log: { access: off }
`,
      );
      let porta: PortaProcess | null = null;
      let exited = false;
      try {
        porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, `p${workers}`)]);
        const admin = await adminUrl(porta);
        assert.deepEqual(await status(`${admin}/healthz`), { code: 200, body: 'ok\n' });
        // With workers, ready once every one of them serves (the first may log before the last).
        await waitFor(async () => (await status(`${admin}/readyz`)).code === 200, 30_000);
        assert.deepEqual(await status(`${admin}/readyz`), { code: 200, body: 'ready\n' });
        assert.equal((await status(`${admin}/readyz`, { method: 'POST' })).code, 405);
        assert.equal((await status(`${admin}/nothing-here`)).code, 404);
        // A request held by the upstream keeps the drain going.
        const inFlight = fetch(`${porta.url}/slow`).then(async (r) => ({
          code: r.status,
          body: await r.text(),
        }));
        await waitFor(() => Promise.resolve(upstream.holding() > 0), 30_000);
        porta.child.kill('SIGTERM');
        await waitFor(async () => (await status(`${admin}/readyz`)).code === 503, 30_000);
        // Still draining: alive, not ready, the public request not answered yet.
        assert.deepEqual(await status(`${admin}/readyz`), { code: 503, body: 'not ready\n' });
        assert.equal((await status(`${admin}/healthz`)).code, 200);
        upstream.release();
        assert.deepEqual(await inFlight, { code: 200, body: 'finally\n' });
        // No second signal (that would mean "exit now"): the drain ends by itself.
        const child = porta.child;
        const code = child.exitCode ?? ((await once(child, 'exit')) as [number | null])[0];
        exited = true;
        assert.equal(code, 0, porta.stderr());
      } finally {
        if (!exited) await porta?.stop('SIGKILL');
        upstream.release();
        upstream.server.close();
      }
    });
  }

  it('serves --admin on a one-liner (echo)', async () => {
    const porta = await spawnPorta([
      'echo',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--admin',
      '127.0.0.1:0',
    ]);
    try {
      const admin = await adminUrl(porta);
      assert.deepEqual(await status(`${admin}/healthz`), { code: 200, body: 'ok\n' });
      assert.equal((await status(`${admin}/readyz`)).code, 200);
    } finally {
      await porta.stop();
    }
  });

  it('refuses a non-loopback admin address without allow or basic_auth, naming the key', async () => {
    const file = join(dir, 'open.yaml');
    writeFileSync(
      file,
      'sites: [{ listen: ["127.0.0.1:0"], routes: [{ respond: { body: hi } }] }]\nadmin: 0.0.0.0:2019\n',
    );
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /admin/);
    assert.match(result.stderr, /0\.0\.0\.0:2019 is not a loopback address/);
    assert.match(result.stderr, /allow/);
    assert.match(result.stderr, /basic_auth/);
    const flag = await runPorta(['echo', '--port', '0', '--admin', ':2019']);
    assert.equal(flag.code, 1, flag.stderr);
    assert.match(flag.stderr, /\*:2019 is not a loopback address/);
  });

  it('keeps clients outside admin.allow out (403)', async () => {
    const file = join(dir, 'allow.yaml');
    writeFileSync(
      file,
      `sites: [{ listen: ["127.0.0.1:0"], routes: [{ respond: { body: hi } }] }]
admin: { listen: "0.0.0.0:0", allow: ["192.0.2.0/24"] }
workers: 1
`,
    );
    assert.equal((await runPorta(['check', '-c', file])).code, 0);
    const porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, 'allow.pid')]);
    try {
      const port = new URL(await adminUrl(porta)).port;
      assert.equal((await status(`http://127.0.0.1:${port}/healthz`)).code, 403);
    } finally {
      await porta.stop();
    }
  });
});
