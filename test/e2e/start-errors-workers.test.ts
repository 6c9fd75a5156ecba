// End to end: a server that cannot start says why in one friendly line with the same exit code,
// whether it runs as one process or as 2 workers (the worker's error crosses IPC with its code).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PORTA_MAIN as MAIN, runPorta } from '../support/porta-process.js';

const dir = mkdtempSync(join(tmpdir(), 'porta-start-errors-'));
chmodSync(dir, 0o755); // the privileged-port case reads its config as an unprivileged user
let blocker: Server;
let takenPort = 0;
before(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  takenPort = (blocker.address() as AddressInfo).port;
});
after(() => {
  blocker.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, workers: number, lines: readonly string[]): string {
  const file = join(dir, `${name}-${workers}.yaml`);
  writeFileSync(file, [`workers: ${workers}`, ...lines, ''].join('\n'));
  chmodSync(file, 0o644); // readable by the unprivileged user of the privileged-port case
  return file;
}

function site(listen: string): string[] {
  return [
    'sites:',
    `  - listen: ["${listen}"]`,
    '    routes: [{ path: /, respond: { body: ok } }]',
  ];
}

/** The one error line and the exit code of `porta run -c file`, checked free of stack traces. */
async function failure(file: string): Promise<{ code: number | null; line: string }> {
  const result = await runPorta(['run', '-c', file, '--pid-file', join(dir, 'never.pid')]);
  assert.doesNotMatch(result.stderr, /\n\s+at /, `no stack trace:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /unexpected error/);
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('porta: '));
  assert.equal(lines.length, 1, result.stderr);
  return { code: result.code, line: lines[0] as string };
}

/** Runs the case with 1 and 2 workers: same line, same exit code. */
async function sameInBothModes(name: string, lines: (workers: number) => string[]) {
  const one = await failure(configFile(name, 1, lines(1)));
  const two = await failure(configFile(name, 2, lines(2)));
  assert.deepEqual(two, one);
  return one;
}

describe('start-up errors are the same with 1 process and 2 workers', () => {
  it('port in use (TCP, bound by the workers)', async () => {
    const result = await sameInBothModes('in-use', () => site(`127.0.0.1:${takenPort}`));
    assert.equal(result.code, 1);
    assert.match(result.line, new RegExp(`127\\.0\\.0\\.1:${takenPort} is already in use`));
  });

  it('UDP port in use (bound by the primary when there are workers)', async () => {
    const taken = createSocket('udp4');
    taken.bind(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const result = await sameInBothModes('udp-in-use', () => [
        'streams:',
        `  - listen: ["127.0.0.1:${taken.address().port}"]`,
        '    forward: { to: ["127.0.0.1:9"], protocol: udp }',
        ...site('127.0.0.1:0'),
      ]);
      assert.equal(result.code, 1);
      assert.match(result.line, /cannot listen on udp 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('an access log that cannot be opened (opened by the workers)', async () => {
    const result = await sameInBothModes('access-log', () => [
      `log: { access_path: "${join(dir, 'missing', 'access.log')}" }`,
      ...site('127.0.0.1:0'),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.line, /cannot open access log ".*missing\/access\.log": ENOENT/);
  });

  it('an error log that cannot be opened', async () => {
    const result = await sameInBothModes('error-log', () => [
      `log: { error_path: "${join(dir, 'missing', 'error.log')}" }`,
      ...site('127.0.0.1:0'),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.line, /cannot open error log ".*missing\/error\.log": ENOENT/);
  });

  it('a port below 1024 without the privilege to bind it', (t) => {
    const unprivilegedFrom = Number(
      readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'),
    );
    if (unprivilegedFrom <= 81) {
      t.skip('this machine lets anyone bind port 81');
      return;
    }
    // As root, run porta as nobody (setpriv, util-linux); as anyone else, as is.
    const asRoot = process.getuid?.() === 0;
    if (asRoot && spawnSync('setpriv', ['--version']).status !== 0) {
      t.skip('running as root and setpriv is missing');
      return;
    }
    const prefix = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const run = (workers: number): { code: number | null; stderr: string } => {
      const file = configFile('privileged', workers, site('127.0.0.1:81'));
      const command = [...prefix, process.execPath, MAIN, 'run', '-c', file];
      const result = spawnSync(command[0] as string, command.slice(1), {
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { code: result.status, stderr: result.stderr };
    };
    const lines = [1, 2].map((workers) => {
      const { code, stderr } = run(workers);
      assert.doesNotMatch(stderr, /\n\s+at |unexpected error/, stderr);
      const line = stderr.split('\n').find((l) => l.startsWith('porta: '));
      assert.ok(line !== undefined, stderr);
      return { code, line };
    });
    const [one, two] = lines as [(typeof lines)[0], (typeof lines)[0]];
    assert.deepEqual(two, one);
    assert.equal(one.code, 1);
    assert.match(one.line, /binding port 81 needs privileges: use a port >= 1024/);
  });
});
