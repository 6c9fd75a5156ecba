// End to end: honest control commands: `porta reload` waits and reports a refused config,
import { type IncomingMessage, get } from 'node:http';
// reload/stop find the config's pid_file and only signal porta, every exit logs "Stopped" and
// removes the pid file, and `porta check` fails on the log files and roots `run` would trip on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type PortaProcess, runPorta, spawnPorta } from '../support/porta-process.js';

const dir = mkdtempSync(join(tmpdir(), 'porta-control-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `no ${what} after 30s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port that was free a moment ago (a reload keeps a listener only at the same fixed address). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function site(body: string, port = 0): string[] {
  return [
    'sites:',
    `  - listen: ["127.0.0.1:${port}"]`,
    `    routes: [{ path: /, respond: { body: ${body} } }]`,
  ];
}

/** Starts `porta run -c file` and waits for its pid file (written once signals are handled). */
async function run(file: string, pidFile: string, extra: string[] = []): Promise<PortaProcess> {
  const porta = await spawnPorta(['run', '-c', file, ...extra]);
  try {
    await waitFor(() => existsSync(pidFile), `pid file ${pidFile}`);
  } catch (error) {
    await porta.stop('SIGKILL');
    throw error;
  }
  return porta;
}

/** One request on a new connection: a pooled one may still reach a worker being handed over. */
async function body(url: string): Promise<string> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    get(url, { agent: false }, resolve).on('error', reject);
  });
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk as string;
  return text;
}

describe('porta reload: waits for the outcome', () => {
  for (const workers of [2, 1]) {
    it(`exits 1 with the errors as check prints them when the server refuses the file (workers: ${workers})`, async () => {
      const folder = join(dir, `reload-${workers}`);
      mkdirSync(folder);
      const file = join(folder, 'porta.yaml');
      const port = await freePort();
      const good = (text: string): string[] => [
        `workers: ${workers}`,
        'pid_file: run.pid',
        ...site(text, port),
      ];
      writeFileSync(file, good('v1').join('\n'));
      const porta = await run(file, join(folder, 'run.pid'));
      try {
        // A file the server refuses: two mistakes on lines 6 and 7.
        writeFileSync(file, [...good('v2'), '  - listen: [12]', '    routes: []', ''].join('\n'));
        const refused = await runPorta(['reload', '-c', file]);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(
          refused.stderr,
          /refused the new configuration and keeps running the previous one/,
        );
        const checked = await runPorta(['check', '-c', file]);
        assert.equal(checked.code, 1);
        const problems = checked.stderr.split('\n').filter((line) => line.startsWith('  '));
        assert.equal(problems.length, 2, checked.stderr);
        for (const line of problems) assert.ok(refused.stderr.includes(line), refused.stderr);
        assert.match(refused.stderr, /porta\.yaml:6:14 sites\[1\]\.listen\[0\]: expected a string/);
        assert.equal(await body(porta.url), 'v1', 'the old configuration still serves');
        // A good file: exit 0 once the new configuration serves.
        writeFileSync(file, good('v3').join('\n'));
        const reloaded = await runPorta(['reload', '-c', file]);
        assert.equal(reloaded.code, 0, reloaded.stderr);
        assert.match(reloaded.stdout, /reloaded/);
        assert.equal(await body(porta.url), 'v3');
        // stop -c finds the same pid_file (relative to the config's folder, not the cwd).
        const stopped = await runPorta(['stop', '-c', file]);
        assert.equal(stopped.code, 0, stopped.stderr);
        await waitFor(() => porta.child.exitCode !== null, 'exit');
        assert.equal(porta.child.exitCode, 0);
        assert.ok(!existsSync(join(folder, 'run.pid')), 'pid file removed');
        assert.ok(!existsSync(join(folder, 'run.pid.reload')), 'reload status removed');
      } finally {
        await porta.stop('SIGKILL');
      }
    });
  }
});

describe('porta stop / reload: only signal porta', () => {
  it('refuses a pid file that names another program, and leaves that program alone', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
      stdio: 'ignore',
    });
    try {
      const pidFile = join(dir, 'stale.pid');
      writeFileSync(pidFile, `${other.pid ?? 0}\n`);
      for (const command of ['stop', 'reload']) {
        const result = await runPorta([command, '--pid-file', pidFile]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, new RegExp(`names ${other.pid ?? 0}, which is not porta`));
      }
      assert.equal(other.exitCode, null);
      assert.equal(other.signalCode, null, 'the other program got no signal');
    } finally {
      other.kill('SIGKILL');
    }
  });
});

describe('every exit logs "Stopped" and removes the pid file', () => {
  for (const workers of [1, 2]) {
    it(`SIGTERM while a half-closed client is mid-body (workers: ${workers})`, async () => {
      const file = join(dir, `half-${workers}.yaml`);
      const pidFile = join(dir, `half-${workers}.pid`);
      writeFileSync(
        file,
        [
          `workers: ${workers}`,
          'sites:',
          '  - listen: ["127.0.0.1:0"]',
          '    routes: [{ path: /, echo: {} }]',
        ].join('\n'),
      );
      const porta = await run(file, pidFile, ['--pid-file', pidFile]);
      try {
        const port = Number(new URL(porta.url).port);
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        let echoed = '';
        socket.setEncoding('latin1').on('data', (chunk: string) => (echoed += chunk));
        await once(socket, 'connect');
        socket.write(
          `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n${'a'.repeat(100)}`,
        );
        socket.end(); // half-close: the body can never be complete
        // Mid-body once the echo streams the first 100 bytes back (not after a fixed pause).
        await waitFor(() => echoed.endsWith('a'.repeat(100)), 'the echo of the first bytes');
        assert.equal(await porta.stop('SIGTERM'), 0, porta.stderr());
        assert.match(porta.stderr(), / INFO Stopped\n/);
        assert.ok(!existsSync(pidFile), 'pid file removed');
      } finally {
        await porta.stop('SIGKILL');
      }
    });
  }

  it('a second signal exits at once, still logging "Stopped" and removing the pid file', async () => {
    const file = join(dir, 'twice.yaml');
    const pidFile = join(dir, 'twice.pid');
    writeFileSync(
      file,
      [
        'workers: 1',
        'timeouts: { shutdown: 30s, body: 60s }',
        'sites:',
        '  - listen: ["127.0.0.1:0"]',
        '    routes: [{ path: /, echo: {} }]',
      ].join('\n'),
    );
    const porta = await run(file, pidFile, ['--pid-file', pidFile]);
    const socket = connect(Number(new URL(porta.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    try {
      await once(socket, 'connect');
      // A request in flight (its body half sent) keeps the graceful stop waiting: in flight once
      // the echo streams "first" back (a fixed pause may end before a busy worker has read it).
      let echoed = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (echoed += chunk));
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nfirst');
      await waitFor(() => echoed.endsWith('first'), 'the echo of "first"');
      porta.child.kill('SIGTERM');
      await waitFor(() => porta.stderr().includes('shutting down gracefully'), 'shutdown line');
      assert.equal(await porta.stop('SIGTERM'), 1);
      assert.match(porta.stderr(), /Got SIGTERM again: exiting now\n.* INFO Stopped\n/);
      assert.ok(!existsSync(pidFile), 'pid file removed');
    } finally {
      socket.destroy();
      await porta.stop('SIGKILL');
    }
  });
});

describe('porta check fails on what run would fail on or half-run with', () => {
  it('a log file that cannot be opened and a static root that does not exist, with file:line and key', async () => {
    const folder = join(dir, 'check');
    mkdirSync(folder);
    mkdirSync(join(folder, 'public'));
    const file = join(folder, 'porta.yaml');
    writeFileSync(
      file,
      [
        'log:',
        `  access_path: ${join(folder, 'missing', 'access.log')}`,
        `  error_path: ${folder}`,
        'sites:',
        '  - listen: ["127.0.0.1:0"]',
        '    routes:',
        '      - path: /',
        '        static: { root: public }',
        '      - path: /docs',
        '        static: { root: ./no-such-folder }',
        '',
      ].join('\n'),
    );
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /invalid configuration, 3 errors:/);
    assert.match(
      result.stderr,
      /porta\.yaml:2:16 log\.access_path: cannot open the log file: the folder ".*missing" does not exist/,
    );
    assert.match(
      result.stderr,
      /porta\.yaml:3:15 log\.error_path: cannot open the log file: ".*" is a folder, not a file/,
    );
    assert.match(
      result.stderr,
      /porta\.yaml:10:25 sites\[0\]\.routes\[1\]\.static\.root: the folder ".*no-such-folder" does not exist/,
    );
    assert.doesNotMatch(result.stderr, /routes\[0\]/, 'the root that exists is fine');
    // What run does with the same file: it fails (the log) where check now fails first.
    const ran = await runPorta(['run', '-c', file, '--pid-file', join(folder, 'x.pid')]);
    assert.equal(ran.code, 1);
    // --no-paths: the file alone (a config checked away from the machine that runs it).
    const fileOnly = await runPorta(['check', '--no-paths', '-c', file]);
    assert.equal(fileOnly.code, 0, fileOnly.stderr);
  });

  it('an app module that does not exist or is a folder, with file:line and key; the export is left to run', async () => {
    const folder = join(dir, 'check-app');
    mkdirSync(join(folder, 'apps.ts'), { recursive: true }); // a folder named like a module
    // An app whose import would have side effects: check must not run it.
    const marker = join(folder, 'imported');
    writeFileSync(
      join(folder, 'app.mjs'),
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\nexport const notTheApp = 1;\n`,
    );
    const file = join(folder, 'porta.yaml');
    writeFileSync(
      file,
      [
        'sites:',
        '  - listen: ["127.0.0.1:0"]',
        '    routes:',
        '      - path: /a',
        '        app: { module: app.mjs }',
        '      - path: /b',
        '        app: { module: ./missing/server.ts }',
        '      - path: /c',
        '        app: { module: apps.ts }',
        '',
      ].join('\n'),
    );
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /invalid configuration, 2 errors:/);
    assert.match(
      result.stderr,
      /porta\.yaml:7:24 sites\[0\]\.routes\[1\]\.app\.module: the module ".*missing\/server\.ts" does not exist; expected a module exporting \{ fetch \}/,
    );
    assert.match(
      result.stderr,
      /porta\.yaml:9:24 sites\[0\]\.routes\[2\]\.app\.module: ".*apps\.ts" is not a file/,
    );
    assert.doesNotMatch(result.stderr, /routes\[0\]/, 'the module that exists passes check');
    assert.ok(!existsSync(marker), 'check did not import the app');
    // run does import it, and names the missing export.
    writeFileSync(
      file,
      [
        'sites:',
        '  - listen: ["127.0.0.1:0"]',
        '    routes:',
        '      - path: /',
        '        app: { module: app.mjs }',
        '',
      ].join('\n'),
    );
    assert.equal((await runPorta(['check', '-c', file])).code, 0);
    const ran = await runPorta(['run', '-c', file, '--pid-file', join(folder, 'x.pid')]);
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /export "default" is missing/);
  });
});
