// End to end: a `health` route on a public site answers like /readyz: 200 while serving (a rolling
// reload included), 503 from the moment a graceful stop begins, while shutdown_delay keeps the
// listeners open and every other route serving; one process and 2 workers.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { adminUrl } from '../support/admin-url.js';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** One request on its own connection (so the kernel spreads them over the workers). */
function send(url: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('health route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-health-route-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const workers of [2, 1]) {
    it(`is 200 while serving and across a reload, 503 during a drain (${workers} worker(s))`, async () => {
      const port = await freePort();
      const file = join(dir, `health-${workers}.yaml`);
      writeFileSync(
        file,
        `sites:
  - listen: ["127.0.0.1:${port}"]
    routes:
      - path: /health
        health: {}
      - respond: { body: hello }
admin: 127.0.0.1:0
workers: ${workers}
timeouts: { shutdown_delay: 8s }
log: { access: off }
`,
      );
      let porta: PortaProcess | null = null;
      let exited = false;
      try {
        porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, `h${workers}.pid`)]);
        const admin = await adminUrl(porta);
        const site = `http://127.0.0.1:${port}`;
        await waitFor(
          'every worker ready',
          async () => (await send(`${admin}/readyz`)).status === 200,
        );
        const ready = await send(`${site}/health`);
        assert.equal(ready.status, 200);
        assert.equal(ready.body, 'ready\n');
        assert.equal(ready.headers['cache-control'], 'no-store');
        assert.equal((await send(`${site}/health`, 'HEAD')).status, 200);
        const post = await send(`${site}/health`, 'POST');
        assert.equal(post.status, 405);
        assert.equal(post.headers.allow, 'GET, HEAD');

        // A reload replaces the workers one at a time: the server stays ready throughout.
        const child = porta.child;
        const before = porta.stderr().split('Configuration reloaded').length;
        child.kill('SIGHUP');
        const during: number[] = [];
        await waitFor('the reload', async () => {
          during.push((await send(`${site}/health`)).status);
          return (porta?.stderr().split('Configuration reloaded').length ?? 0) > before;
        });
        assert.ok(during.length > 0);
        assert.deepEqual(
          new Set(during),
          new Set([200]),
          `statuses during the reload: ${during.join(' ')}`,
        );

        // SIGTERM: not ready at once, on the public route and /readyz, while the delay keeps
        // the listeners open and the rest of the site serving.
        child.kill('SIGTERM');
        let streak = 0;
        await waitFor('503 from every worker', async () => {
          const answer = await send(`${site}/health`);
          streak = answer.status === 503 ? streak + 1 : 0;
          return streak >= 4;
        });
        const notReady = await send(`${site}/health`);
        assert.equal(notReady.status, 503);
        assert.equal(notReady.body, 'not ready\n');
        assert.equal((await send(`${admin}/readyz`)).status, 503);
        const served = await send(`${site}/`);
        assert.equal(served.status, 200);
        assert.equal(served.body, 'hello');
        assert.equal(child.exitCode, null, 'still serving during shutdown_delay');
        // The delay ends, the listeners close, the (empty) drain finishes: exit 0 by itself.
        const [code] = (await once(child, 'exit')) as [number | null];
        exited = true;
        assert.equal(code, 0, porta.stderr());
      } finally {
        if (!exited) await porta?.stop('SIGKILL');
      }
    });
  }
});
