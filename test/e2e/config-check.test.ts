// End to end: `porta check` (validate and build, bind nothing), `porta schema`, and --print-config output that checks clean.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PORTA_MAIN as MAIN, runPorta } from '../support/porta-process.js';

/** Runs porta in a given folder (runPorta uses ours). */
async function runIn(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const GOOD = `sites:
  - listen: [":8080"]
    hosts: [a.example]
    routes: [{ echo: {} }]
  - listen: [":8080", "127.0.0.1:9090"]
    routes: [{ respond: { body: hi } }]
streams:
  - listen: [":7007"]
    echo: {}
`;

describe('porta check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-check-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('prints "<file>: OK (N sites, M listeners)" and exits 0', async () => {
    const file = write('good.yaml', GOOD);
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${file}: OK (2 sites, 3 listeners)\n`);
  });

  it('reads ./porta.yaml when no file is named', async () => {
    write('porta.yaml', GOOD);
    const result = await runIn(dir, ['check']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'porta.yaml: OK (2 sites, 3 listeners)\n');
  });

  it('binds nothing: a port in use does not matter', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const file = write(
        'busy.yaml',
        `sites:\n  - listen: ["127.0.0.1:${port}"]\n    routes: [{ echo: {} }]\n`,
      );
      const result = await runPorta(['check', '-c', file]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /OK \(1 site, 1 listener\)/);
    } finally {
      blocker.close();
    }
  });

  it('lists every problem with file:line:column and exits 1, without a stack trace', async () => {
    const file = write(
      'bad.yaml',
      `sites:
  - listen: [":8080", "localhost"]
    rotes: []
    routes:
      - respond: { status: "200" }
`,
    );
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^porta: invalid configuration, 3 errors:\n/);
    assert.match(
      result.stderr,
      /bad\.yaml:2:23 sites\[0\]\.listen\[1\]: listen address "localhost" has no port/,
    );
    assert.match(
      result.stderr,
      /bad\.yaml:3:5 sites\[0\]\.rotes: unknown key, did you mean `routes`\?/,
    );
    assert.match(
      result.stderr,
      /bad\.yaml:5:28 sites\[0\]\.routes\[0\]\.respond\.status: expected a number, got "200"/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('catches a duplicate listener the schema alone cannot see', async () => {
    const file = write(
      'dup.yaml',
      `sites:\n  - listen: [":8080"]\n    routes: [{ echo: {} }]\nstreams:\n  - listen: [":8080"]\n    echo: {}\n`,
    );
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /dup\.yaml:5:14 streams\[0\]\.listen\[0\]: \*:8080 is already an HTTP listener \(sites\[0\]\.listen\[0\]\)/,
    );
  });

  it('a YAML syntax error names its line', async () => {
    const file = write('syntax.yaml', 'sites:\n  - listen: [":8080"]\n\troutes: []\n');
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /syntax\.yaml:3:1 YAML syntax: Tabs are not allowed as indentation/,
    );
  });

  it('a missing environment variable names the variable and the key', async () => {
    const file = write(
      'env.yaml',
      'sites:\n  - listen: [":${PORTA_E2E_UNSET_PORT}"]\n    routes: [{ echo: {} }]\n',
    );
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /env\.yaml:2:14 sites\[0\]\.listen\[0\]: environment variable PORTA_E2E_UNSET_PORT is not set/,
    );
  });

  it('a missing file: names the path and suggests -c', async () => {
    const named = await runPorta(['check', '-c', join(dir, 'nope.yaml')]);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /config file .*nope\.yaml not found .*`porta check -c <file>`/);
    const empty = mkdtempSync(join(dir, 'empty-'));
    const implicit = await runIn(empty, ['run']);
    assert.equal(implicit.code, 1);
    assert.match(implicit.stderr, /no porta\.yaml in .*`porta run -c <file>`/);
  });

  it('checks JSON files too', async () => {
    const file = write(
      'site.json',
      JSON.stringify({ sites: [{ listen: [':8080'], routes: [{ echo: {} }] }] }),
    );
    const result = await runPorta(['check', '-c', file]);
    assert.equal(result.code, 0, result.stderr);
  });

  it('passes the output of --print-config (the one-liners graduate to a file)', async () => {
    for (const args of [
      ['echo', '--port', '9999', '--print-config'],
      ['echo', '--tcp', '--port', '9998', '--host', '127.0.0.1', '--print-config'],
      [
        'echo',
        '--port',
        '9997',
        '--max-body',
        '2m',
        '--log-level',
        'debug',
        '--access-log',
        'json',
        '--print-config',
      ],
      ['serve', '.', '--port', '9996', '--print-config'],
      ['proxy', '--to', 'http://127.0.0.1:3000', '--print-config'],
      ['forward', '8080:80', '53:53/udp', '--print-config'],
    ]) {
      const printed = await runPorta(args);
      assert.equal(printed.code, 0, printed.stderr);
      const file = write('printed.yaml', printed.stdout);
      const result = await runPorta(['check', '-c', file]);
      assert.equal(result.code, 0, `${args.join(' ')}:\n${printed.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /OK \(\d sites?, \d listeners?\)/);
    }
  });
});

describe('porta schema', () => {
  it('prints the JSON Schema of porta.yaml', async () => {
    const result = await runPorta(['schema']);
    assert.equal(result.code, 0, result.stderr);
    const schema = JSON.parse(result.stdout) as {
      $schema: string;
      properties: Record<string, unknown>;
    };
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok('sites' in schema.properties && 'streams' in schema.properties);
  });
});
