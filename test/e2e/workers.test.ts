// End to end: a cluster of workers: shared port, a SIGKILLed worker respawns while the others serve.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnPorta } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';

describe('workers', () => {
  it('serves from 2 workers, respawns one killed with SIGKILL, stops cleanly', async () => {
    const porta = await spawnPorta([
      'echo',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--workers',
      '2',
      '--access-log',
      'off',
    ]);
    try {
      await waitFor(() => /\(2 workers\)/.test(porta.stderr()), 30_000);
      const pids = [...porta.stderr().matchAll(/Worker \d \(pid (\d+)\) serving/g)].map((m) =>
        Number(m[1]),
      );
      assert.equal(pids.length, 2, porta.stderr());
      process.kill(pids[0] as number, 'SIGKILL');
      // The other worker keeps serving while the first one is replaced.
      let ok = 0;
      for (let i = 0; i < 40; i++) {
        const response = await fetch(`${porta.url}/during-respawn`);
        await response.text();
        if (response.status === 200) ok++;
      }
      assert.equal(ok, 40);
      await waitFor(() => /died \(signal SIGKILL\)/.test(porta.stderr()), 30_000);
      await waitFor(
        () => [...porta.stderr().matchAll(/Worker \d \(pid (\d+)\) serving/g)].length === 3,
        30_000,
      );
      const response = await fetch(`${porta.url}/after`);
      assert.equal(response.status, 200);
      await response.text();
    } finally {
      assert.equal(await porta.stop('SIGTERM'), 0);
    }
  });
});
