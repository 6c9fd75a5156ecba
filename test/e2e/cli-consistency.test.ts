// End to end: one consistent command line: shared flags worded once, -v, one-line usage errors,
// quiet EPIPE, $PORT, --workers everywhere, `run` overrides, the no-index.html hint of `serve`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { PORTA_MAIN as MAIN, freePort, runPorta, spawnPorta } from '../support/porta-process.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const SERVER_COMMANDS = ['serve', 'echo', 'proxy', 'forward', 'run'];

/** The help line of one option (commander wraps long ones: joined back into one line). */
function helpLine(help: string, flag: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => line.trimStart().startsWith(flag));
  if (start === -1) return '';
  let text = lines[start] ?? '';
  for (let i = start + 1; i < lines.length && /^\s{20,}\S/.test(lines[i] ?? ''); i++) {
    text += ` ${(lines[i] ?? '').trim()}`;
  }
  return text.replace(/\s+/g, ' ').trim();
}

/** Polls a condition every 50 ms, failing after 15 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('one consistent command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-cli-consistency-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('states the listen host, port and workers the same way in every server command', async () => {
    const helps = new Map<string, string>();
    for (const command of SERVER_COMMANDS) {
      const result = await runPorta([command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      helps.set(command, result.stdout);
    }
    for (const command of ['serve', 'echo', 'proxy']) {
      const help = helps.get(command) ?? '';
      assert.equal(
        helpLine(help, '-H, --host'),
        '-H, --host <host> address to bind (default: every interface, IPv4 and IPv6)',
        command,
      );
      assert.equal(
        helpLine(help, '-p, --port'),
        '-p, --port <port> port to listen on, 0 = any free port (default: $PORT, else 8080)',
        command,
      );
    }
    for (const command of SERVER_COMMANDS) {
      assert.match(
        helpLine(helps.get(command) ?? '', '-w, --workers'),
        /^-w, --workers <n> worker processes: a number, or "auto" for one per core \(default: .+\)$/,
        command,
      );
      for (const flag of [
        '--log-level',
        '--access-log <format>',
        '--access-log-file',
        '--print-config',
      ]) {
        assert.notEqual(helpLine(helps.get(command) ?? '', flag), '', `${command} ${flag}`);
      }
    }
  });

  it('prints the version for -v and --version', async () => {
    for (const flag of ['-v', '--version']) {
      const result = await runPorta([flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `${VERSION}\n`);
    }
  });

  it('answers a usage mistake with one "porta:" line pointing at --help, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--bogus'], /^porta: unknown option '--bogus' \(see porta serve --help\)\n$/],
      [['serve', '--prot', '1'], /^porta: unknown option '--prot' \(Did you mean --port\?\) /],
      [
        ['proxy', '--balance', 'nope'],
        /^porta: option '--balance <policy>' argument 'nope' is invalid/,
      ],
      [['serv'], /^porta: unknown command 'serv' \(Did you mean serve\?\) \(see porta --help\)\n$/],
      [['forward'], /^porta: missing required argument 'mapping' \(see porta forward --help\)\n$/],
      [
        ['echo', '--workers', '0'],
        /^porta: --workers 0: expected "auto" or a whole number >= 1\n$/,
      ],
    ];
    for (const [args, expected] of cases) {
      const result = await runPorta(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, expected, args.join(' '));
      assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
      assert.equal(result.stdout, '');
    }
  });

  it('exits quietly when the reader of its output goes away', () => {
    const commands = [
      'schema',
      '--help',
      'serve --help',
      'serve --print-config',
      'proxy --to http://127.0.0.1:1 --print-config',
    ];
    for (const command of commands) {
      // head -c 20 reads a little and leaves; the rest of porta's output meets a closed pipe.
      const script = `"${process.execPath}" "${MAIN}" ${command} | head -c 20 >/dev/null; echo "exit \${PIPESTATUS[0]}" >&2`;
      const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.stderr, 'exit 0\n', `${command}: ${result.stderr}`);
    }
  });

  for (const command of ['echo', 'serve', 'proxy']) {
    it(`porta ${command} listens on $PORT when --port is absent`, async () => {
      const port = await freePort();
      const args = [command, '--host', '127.0.0.1'];
      if (command === 'serve') args.push('site');
      if (command === 'proxy') args.push('--to', 'http://127.0.0.1:1');
      const porta = await spawnPorta(args, 15_000, { env: { ...process.env, PORT: String(port) } });
      try {
        assert.equal(porta.url, `http://127.0.0.1:${port}`);
        const response = await fetch(`${porta.url}/`);
        await response.arrayBuffer();
        assert.ok(response.status < 500 || command === 'proxy', `${response.status}`);
      } finally {
        await porta.stop();
      }
    });
  }

  it('gives --workers to every server command, as an override for run', async () => {
    for (const args of [
      ['serve', '.', '--workers', '3'],
      ['echo', '--workers', '3'],
      ['proxy', '--to', 'http://127.0.0.1:1', '--workers', '3'],
      ['forward', '9000:127.0.0.1:80', '--workers', '3'],
    ]) {
      const result = await runPorta([...args, '--print-config']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((parse(result.stdout) as { workers?: unknown }).workers, 3, args.join(' '));
    }
    const echo = await spawnPorta(['echo', '--host', '127.0.0.1', '--port', '0', '-w', '2']);
    try {
      assert.match(echo.stderr(), /2 workers/);
    } finally {
      await echo.stop();
    }
  });

  it('refuses what the flags let through but the schema does not, naming the key, before serving', async () => {
    // serve and echo build their usual config without the schema library: an unusual value goes
    // the validated way and gets the schema's message.
    for (const [args, message] of [
      [['serve', dir, '--workers', '300'], 'workers: expected a number <= 256, got 300'],
      [['echo', '--max-body', '12q'], 'limits.max_body_size: expected a size like "1m"'],
      [['echo', '--tcp', '-w', '999'], 'workers: expected a number <= 256, got 999'],
    ] as const) {
      const result = await runPorta([...args, '--host', '127.0.0.1', '--port', '0'], process.env);
      assert.equal(result.code, 1, result.stderr);
      const expected = `porta: invalid configuration: config: ${message}`;
      assert.ok(result.stderr.startsWith(expected), `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
    }
  });

  it('lets run override the file with the flags every server command takes', async () => {
    const file = join(dir, 'porta.yaml');
    const accessPath = join(dir, 'access.log');
    writeFileSync(
      file,
      'workers: 2\nlog:\n  level: warning\n  access: combined\nsites:\n  - listen: ["127.0.0.1:0"]\n    routes: [{ echo: { name: unit } }]\n',
    );
    const overrides = [
      '--workers',
      '1',
      '--log-level',
      'info',
      '--access-log',
      'json',
      '--access-log-file',
      accessPath,
    ];
    const printed = await runPorta(['run', '-c', file, ...overrides, '--print-config']);
    assert.equal(printed.code, 0, printed.stderr);
    const config = parse(printed.stdout) as { workers: number; log: Record<string, string> };
    assert.equal(config.workers, 1);
    assert.equal(config.log.level, 'info');
    assert.equal(config.log.access, 'json');
    assert.equal(config.log.access_path, accessPath);

    const porta = await spawnPorta(['run', '-c', file, ...overrides]);
    try {
      assert.match(porta.stderr(), /INFO Starting porta .*1 process/, 'info level, one process');
      const response = await fetch(`${porta.url}/overridden`);
      assert.equal(response.headers.get('x-served-by'), 'unit');
      await response.arrayBuffer();
    } finally {
      await porta.stop();
    }
    const line = JSON.parse(readFileSync(accessPath, 'utf8').trim()) as { uri: string };
    assert.equal(line.uri, '/overridden');
  });

  for (const workers of ['1', '2']) {
    it(`serve on a folder without index.html answers / with a hint page and logs it once (${workers} worker(s))`, async () => {
      const folder = join(dir, `no-index-${workers}`);
      spawnSync('mkdir', ['-p', join(folder, 'sub')]);
      writeFileSync(join(folder, 'notes.txt'), 'hello\n');
      const porta = await spawnPorta([
        'serve',
        folder,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '-w',
        workers,
      ]);
      try {
        const root = await fetch(`${porta.url}/`);
        assert.equal(root.status, 404);
        assert.match(root.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(
          await root.text(),
          /no index\.html here.*start with <code>--listing<\/code> to browse/s,
        );
        const sub = await fetch(`${porta.url}/sub/`);
        assert.equal(sub.status, 404, 'deeper folders say nothing');
        assert.doesNotMatch(await sub.text(), /index\.html/);
        const file = await fetch(`${porta.url}/notes.txt`);
        assert.equal(await file.text(), 'hello\n');
        // The hint follows the last "Listening on" line: wait for the whole start-up.
        await waitFor(() => /Listening on .*\n.*No index\.html/.test(porta.stderr()));
        await waitFor(() => workers === '1' || /\(2 workers\)/.test(porta.stderr()));
        const hints = porta.stderr().match(/No index\.html in .*start with --listing/g) ?? [];
        assert.equal(hints.length, 1, porta.stderr());
      } finally {
        await porta.stop();
      }
    });
  }
});
