// End to end: a changed app module is picked up by `porta reload` (fresh workers, rolling, no failed
// request under load, 1 and 2 workers) and by `porta app --watch` (a file saved in its folder).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, runPorta, spawnPorta } from '../support/porta-process.js';
import { httpGet } from '../support/http-get.js';

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An app in two files: the version lives in the imported one, so a reload must reload imports. */
function writeApp(dir: string, version: string): void {
  writeFileSync(
    join(dir, 'app.ts'),
    "import { VERSION } from './version';\n" +
      'export default { fetch: (request: Request): Response => new Response(VERSION) };\n',
  );
  writeFileSync(join(dir, 'version.ts'), `export const VERSION: string = '${version}';\n`);
}

for (const workers of [1, 2]) {
  describe(`porta reload with an app (${workers} worker${workers === 1 ? '' : 's'})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-app-reload-'));
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves the changed module after a reload, with no failed request meanwhile', async () => {
      const port = await freePort();
      writeApp(dir, 'v1');
      const config = join(dir, 'porta.yaml');
      const pidFile = join(dir, 'porta.pid');
      writeFileSync(
        config,
        `workers: ${workers}\nlog: { access: "off" }\ntimeouts: { shutdown: 2s }\n` +
          `sites:\n  - listen: ["127.0.0.1:${port}"]\n    routes:\n      - path: /\n        app: { module: app.ts }\n`,
      );
      const porta = await spawnPorta(['run', '-c', config, '--pid-file', pidFile], 60_000);
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 2 });
      try {
        await waitFor(() => porta.stderr().includes(`(${workers} worker`), 'the workers');
        let failures = 0;
        let served = 0;
        const bodies = new Set<string>();
        let loading = true;
        const loop = async (agent: Agent | false): Promise<void> => {
          for (let i = 0; loading && i < 20_000; i++) {
            try {
              const response = await httpGet(port, '/', agent);
              if (response.status !== 200) failures++;
              bodies.add(response.body);
              served++;
            } catch {
              failures++;
            }
          }
        };
        const load = [loop(keepAlive), loop(keepAlive), loop(false)];
        const reloadMs: number[] = [];
        for (const version of ['v2', 'v3']) {
          writeApp(dir, version);
          // Fresh workers import the app (through tsx) one after the other: give it time.
          const started = Date.now();
          const result = await runPorta(
            ['reload', '-c', config, '--pid-file', pidFile],
            process.env,
            120_000,
          );
          reloadMs.push(Date.now() - started);
          assert.equal(result.code, 0, result.stderr);
          await waitFor(async () => (await httpGet(port, '/', false)).body === version, version);
        }
        loading = false;
        await Promise.all(load);
        assert.equal(
          failures,
          0,
          `${failures} failed of ${served} (reloads took ${reloadMs.join(', ')} ms)`,
        );
        assert.ok(served > 0);
        assert.deepEqual(
          [...bodies].filter((b) => !['v1', 'v2', 'v3'].includes(b)),
          [],
          'only the versions',
        );
      } finally {
        keepAlive.destroy();
        await porta.stop();
      }
    });
  });
}

describe('porta app --watch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-app-watch-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts the app when a file in its folder changes', async () => {
    writeApp(dir, 'before');
    const porta = await spawnPorta(
      ['app', join(dir, 'app.ts'), '--watch', '-H', '127.0.0.1', '-p', '0', '--access-log', 'off'],
      60_000,
    );
    try {
      await waitFor(() => porta.stderr().includes('for changes (--watch)'), 'the watcher');
      assert.equal(await (await fetch(porta.url)).text(), 'before');
      writeApp(dir, 'after');
      await waitFor(async () => (await (await fetch(porta.url)).text()) === 'after', 'the change');
      assert.match(porta.stderr(), /Changed: (app|version)\.ts; reloading/);
      assert.match(porta.stderr(), /Reloaded after the change/);
    } finally {
      await porta.stop();
    }
  });
});
