// End to end: SIGUSR1 reopens the access and error log files (logrotate), in one process and with 2 workers; the JSON error log.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { linesWhen, readLines } from '../support/log-file.js';
import { PORTA_MAIN as MAIN, spawnPorta } from '../support/porta-process.js';

const WAIT_MS = 20_000;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'porta-logfiles-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `GET path` on a new connection (so requests spread over the workers). */
async function get(port: number, path: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { connection: 'close' },
  });
  assert.equal(response.status, 200);
  await response.text();
}

/** One `porta run` with both logs in files; stopped (SIGKILL as a last resort) by stop(). */
async function runWithLogFiles(
  workers: number,
  errorFormat: 'text' | 'json',
): Promise<{
  child: ChildProcess;
  port: number;
  access: string;
  error: string;
  stop: () => Promise<void>;
}> {
  const sub = await mkdtemp(join(dir, `w${workers}-`));
  const access = join(sub, 'access.log');
  const error = join(sub, 'error.log');
  const config = join(sub, 'porta.yaml');
  await writeFile(
    config,
    [
      'sites:',
      '  - listen: ["127.0.0.1:0"]',
      '    routes:',
      '      - path: /',
      '        respond: { body: ok }',
      'log:',
      `  access: '$pid $request_uri $status'`,
      `  access_path: ${access}`,
      `  error_path: ${error}`,
      `  format: ${errorFormat}`,
      `workers: ${workers}`,
      `pid_file: ${join(sub, 'porta.pid')}`,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [MAIN, 'run', '-c', config], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const ready = workers === 1 ? /Listening on http:\/\/[^\s"]+/ : /\(2 workers\)/;
    const lines = await linesWhen(error, (all) => all.some((l) => ready.test(l)));
    const url = /http:\/\/127\.0\.0\.1:(\d+)/.exec(lines.join('\n'));
    assert.ok(url !== null);
    return { child, port: Number(url[1]), access, error, stop };
  } catch (failure) {
    await stop();
    throw failure;
  }
}

for (const workers of [1, 2]) {
  describe(`SIGUSR1 with ${workers === 1 ? 'one process' : '2 workers'}`, () => {
    it('reopens the access and error logs: new lines land in new files, nothing is lost', async () => {
      const porta = await runWithLogFiles(workers, workers === 1 ? 'text' : 'json');
      try {
        for (let i = 0; i < 6; i++) await get(porta.port, `/before${i}`);
        await linesWhen(porta.access, (l) => l.length >= 6);
        // What logrotate does: rename the files, then signal the primary.
        await rename(porta.access, `${porta.access}.1`);
        await rename(porta.error, `${porta.error}.1`);
        porta.child.kill('SIGUSR1');
        // Each process writes a line into the new error log once it has reopened.
        const reopened = /reopened the log files/;
        const expected = workers === 1 ? 1 : 3; // the primary, and each worker
        await linesWhen(
          porta.error,
          (l) => l.filter((line) => reopened.test(line)).length >= expected,
        );
        const pids = new Set<string>();
        for (let i = 0; i < 200 && pids.size < workers; i++) {
          await get(porta.port, `/after${i}`);
          for (const line of await readLines(porta.access)) pids.add(line.split(' ')[0] as string);
        }
        assert.equal(pids.size, workers, 'every worker writes to the new access log');
        const old = await readLines(`${porta.access}.1`);
        assert.equal(old.length, 6, old.join('\n'));
        assert.ok(
          old.every((line) => / \/before\d 200$/.test(line)),
          old.join('\n'),
        );
        const fresh = await readLines(porta.access);
        assert.ok(fresh.length >= workers);
        assert.ok(
          fresh.every((line) => / \/after\d+ 200$/.test(line)),
          fresh.join('\n'),
        );
        if (workers === 2) {
          // The JSON error log: one object per line, with the process that wrote it.
          const objects = (await readLines(porta.error)).map(
            (line) => JSON.parse(line) as { time: string; level: string; pid: number },
          );
          assert.ok(objects.every((o) => o.level === 'info' && o.pid > 0 && o.time.endsWith('Z')));
          assert.equal(new Set(objects.map((o) => o.pid)).size, 3);
        }
        await porta.stop();
        assert.equal(porta.child.exitCode, 0);
        // The old error log got nothing after the rename but what was in flight.
        const oldErrors = (await readLines(`${porta.error}.1`)).join('\n');
        assert.doesNotMatch(oldErrors, /reopened|Stopped/);
        assert.match((await readLines(porta.error)).join('\n'), /Stopped/);
      } finally {
        await porta.stop();
      }
    });
  });
}

describe('--log-format json', () => {
  it('writes the error log as one JSON object per line on stderr', async () => {
    const porta = await spawnPorta([
      'echo',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--workers',
      '1',
      '--log-format',
      'json',
      '--access-log',
      'off',
    ]);
    try {
      const lines = porta
        .stderr()
        .split('\n')
        .filter((line) => line !== '');
      assert.ok(lines.length >= 2, porta.stderr());
      for (const line of lines) {
        const object = JSON.parse(line) as Record<string, unknown>;
        assert.deepEqual(Object.keys(object), ['time', 'level', 'pid', 'message']);
        assert.equal(object['pid'], porta.child.pid);
        assert.match(String(object['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      assert.ok(lines.some((line) => line.includes('"message":"Listening on http://127.0.0.1:')));
    } finally {
      await porta.stop();
    }
  });
});
