// End to end: a SIGHUP that reaches `porta run` while it is still starting (its config check
// child running, workers not forked yet) is noted and ignored, not the end of the server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PORTA_MAIN as MAIN, freePort } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';

/** The pids `pid` has forked (Linux: /proc), none if it is gone. */
function childrenOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  } catch {
    return '';
  }
}

describe('SIGHUP while starting (2 workers)', () => {
  it('is ignored with a log line; the server starts and serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-early-hup-'));
    const port = await freePort();
    const file = join(dir, 'porta.yaml');
    writeFileSync(
      file,
      [
        'workers: 2',
        'log: { access: "off" }',
        'sites:',
        `  - listen: ["127.0.0.1:${port}"]`,
        '    routes:',
        '      - { path: /, respond: { body: up } }',
        '',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      [MAIN, 'run', '-c', file, '--pid-file', join(dir, 'pid')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.resume();
    const exited = once(child, 'exit');
    try {
      const pid = child.pid ?? 0;
      // The config check child exists: the primary is past its start and not yet serving.
      await waitFor(() => childrenOf(pid) !== '' || child.exitCode !== null, 60_000);
      assert.ok(!/Listening on/.test(err), 'still starting');
      child.kill('SIGHUP');
      await waitFor(
        () => /\(2 workers\)/.test(err) || child.exitCode !== null || child.signalCode !== null,
        60_000,
      );
      assert.equal(child.signalCode, null, `porta ended on the early SIGHUP:\n${err}`);
      assert.match(err, /Got SIGHUP while starting: ignored/);
      const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
      assert.equal(await answer.text(), 'up');
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
