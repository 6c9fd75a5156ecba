// End to end: `porta run` with 2 workers, `porta reload` 10 times under load: no failed request,
// no refused connection; `porta stop` ends it cleanly.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, runPorta, spawnPorta } from '../support/porta-process.js';
import { httpGet } from '../support/http-get.js';

describe('porta run + porta reload with workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-run-reload-'));
  const file = join(dir, 'porta.yaml');
  const pidFile = join(dir, 'porta.pid');
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (port: number, version: number): void => {
    writeFileSync(
      file,
      [
        'workers: 2',
        'log: { access: "off" }',
        'timeouts: { shutdown: 2s }',
        'sites:',
        `  - listen: ["127.0.0.1:${port}"]`,
        '    routes:',
        `      - path: /`,
        `        respond: { body: "v${version}" }`,
        '',
      ].join('\n'),
    );
  };

  it('rolls workers 10 times with zero failures, then stops', async () => {
    const port = await freePort();
    write(port, 0);
    const porta = await spawnPorta(['run', '-c', file, '--pid-file', pidFile], 60_000);
    try {
      // The primary writes its pid file once every worker serves.
      for (let i = 0; i < 600 && !existsSync(pidFile); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
      let failures = 0;
      let served = 0;
      const errors = new Map<string, number>();
      const bodies = new Set<string>();
      let loading = true;
      const worker = async (agent: Agent | false): Promise<void> => {
        for (let i = 0; loading && i < 50_000; i++) {
          try {
            const response = await httpGet(port, '/', agent);
            if (response.status !== 200) failures++;
            bodies.add(response.body);
            served++;
          } catch (error) {
            failures++;
            const key = `${agent === false ? 'new' : 'keep-alive'} ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
            errors.set(key, (errors.get(key) ?? 0) + 1);
          }
        }
      };
      const load = [worker(keepAlive), worker(keepAlive), worker(false), worker(false)];
      for (let version = 1; version <= 10; version++) {
        write(port, version);
        // A rolling reload under this load can take a while on a busy machine.
        const result = await runPorta(
          ['reload', '-c', file, '--pid-file', pidFile],
          process.env,
          60_000,
        );
        assert.equal(result.code, 0, result.stderr);
        const done = new RegExp(`Configuration reloaded`, 'g');
        const deadline = Date.now() + 20_000;
        while ((porta.stderr().match(done) ?? []).length < version && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal((porta.stderr().match(done) ?? []).length, version, porta.stderr());
      }
      // The load goes on until the last config has answered (not for a fixed 200 ms, in which a
      // busy machine may finish no request on a new connection).
      const served10 = Date.now() + 20_000;
      while (!bodies.has('v10') && Date.now() < served10) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      loading = false;
      await Promise.all(load);
      keepAlive.destroy();
      assert.equal(failures, 0, `${failures} failed of ${served}: ${JSON.stringify([...errors])}`);
      assert.ok(bodies.has('v10'), [...bodies].join(','));
      // `porta reload` sent its first SIGHUP as soon as the pid file existed: the start-up's
      // "ignored" handler was gone by then.
      assert.doesNotMatch(porta.stderr(), /while starting/);
      const stopped = await runPorta(['stop', '-c', file, '--pid-file', pidFile]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /stopped/);
    } finally {
      await porta.stop();
    }
  });
});
