// Unit tests for loading config files: finding and reading the file, YAML/JSON, anchors, ${VARS}, base_dir.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatProblem, isConfigError } from './config-error.js';
import type { Env } from './env.js';
import { loadConfigFile, parseConfigText } from './load.js';
import type { Config } from './schema.js';

function parse(text: string, env: Env = {}, format: 'yaml' | 'json' = 'yaml'): Config {
  return parseConfigText(text, { source: 'porta.yaml', format, baseDir: '/srv/site', env });
}

/** The problems of a config that must fail, as printed lines. */
function problems(text: string, env: Env = {}, format: 'yaml' | 'json' = 'yaml'): string[] {
  try {
    parse(text, env, format);
  } catch (error) {
    assert.ok(isConfigError(error), `expected a ConfigError, got ${String(error)}`);
    return error.problems.map(formatProblem);
  }
  assert.fail('expected the config to be rejected');
}

const ECHO_SITE = `sites:
  - listen: [":8080"]
    routes:
      - echo: {}
`;

describe('parseConfigText: a good file', () => {
  it('fills in defaults and sets base_dir to the file folder', () => {
    const config = parse(ECHO_SITE);
    const site = config.sites[0];
    assert.ok(site);
    assert.deepEqual(site.listen, [':8080']);
    assert.equal(site.routes[0]?.path, '/');
    assert.equal(config.limits.max_headers, 100);
    assert.equal(config.base_dir, '/srv/site');
  });

  it('resolves a relative base_dir against the file folder, keeps an absolute one', () => {
    assert.equal(parse(`${ECHO_SITE}base_dir: ../www\n`).base_dir, '/srv/www');
    assert.equal(parse(`${ECHO_SITE}base_dir: /data\n`).base_dir, '/data');
  });

  it('reads JSON, and ignores a top-level $schema key in JSON and YAML', () => {
    const json = JSON.stringify({
      $schema: './porta.schema.json',
      sites: [{ listen: [':8080'], routes: [{ echo: {} }] }],
    });
    assert.equal(parse(json, {}, 'json').sites.length, 1);
    assert.equal(parse(`$schema: x.json\n${ECHO_SITE}`).sites.length, 1);
  });

  it('supports anchors and merge keys', () => {
    const config = parse(`sites:
  - &site
    listen: [":8080"]
    hosts: [a.example]
    routes:
      - &hello
        path: /a
        respond: { status: 204 }
      - <<: *hello
        path: /b
  - <<: *site
    hosts: [b.example]
`);
    assert.deepEqual(
      config.sites.map((s) => s.hosts),
      [['a.example'], ['b.example']],
    );
    assert.deepEqual(
      config.sites[0]?.routes.map((r) => [r.path, r.respond?.status]),
      [
        ['/a', 204],
        ['/b', 204],
      ],
    );
  });

  it('points into merged entries at their anchor', () => {
    assert.deepEqual(
      problems(`sites:
  - &site
    listen: [":8080"]
    routes: [{ echo: {} }]
  - <<: *site
    hosts: [b.example]
    listen: [":8081", 5]
`),
      ['porta.yaml:7:23 sites[1].listen[1]: expected a string, got 5 (quote it: "5")'],
    );
  });
});

describe('parseConfigText: environment variables', () => {
  it('expands variables with defaults', () => {
    const config = parse(
      `sites:
  - listen: [":\${PORT:-8080}", "\${HOST}:9000"]
    routes:
      - respond: { body: "$\${PRICE} for \${NAME:-nobody}" }
`,
      { HOST: '127.0.0.1' },
    );
    const site = config.sites[0];
    assert.ok(site);
    assert.deepEqual(site.listen, [':8080', '127.0.0.1:9000']);
    assert.equal(site.routes[0]?.respond?.body, '${PRICE} for nobody');
  });

  it('turns a whole ${VAR} into a number where the key takes only numbers', () => {
    const config = parse(
      `${ECHO_SITE}limits:
  max_headers: \${MAX_HEADERS}
  max_body_size: \${BODY}
workers: \${WORKERS}
`,
      { MAX_HEADERS: '50', BODY: '2048', WORKERS: '2' },
    );
    assert.equal(config.limits.max_headers, 50);
    // max_body_size takes text ("1m") too, so it stays text and means the same.
    assert.equal(config.limits.max_body_size, '2048');
    assert.equal(config.workers, 2);
  });

  it('names a missing variable, where it is used and how to give a default', () => {
    assert.deepEqual(
      problems(
        `sites:
  - listen: [":\${PORT}"]
    routes: [{ echo: {} }]
`,
      ),
      [
        'porta.yaml:2:14 sites[0].listen[0]: environment variable PORT is not set (set it, or give a default: ${PORT:-value})',
      ],
    );
  });

  it('reports a bad reference with its position', () => {
    assert.match(
      problems(`${ECHO_SITE}log:\n  level: "\${LEVEL"\n`).join('\n'),
      /^porta\.yaml:6:10 log\.level: "\$\{LEVEL" has a "\$\{" without its "\}"/,
    );
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-load-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a named file and returns its folder as baseDir', async () => {
    const file = join(dir, 'site.yaml');
    writeFileSync(file, ECHO_SITE);
    const loaded = await loadConfigFile(file, { env: {} });
    assert.equal(loaded.baseDir, dir);
    assert.equal(loaded.path, file);
    assert.equal(loaded.source, file);
    assert.equal(loaded.config.base_dir, dir);
  });

  it('reads JSON by extension', async () => {
    const file = join(dir, 'site.json');
    writeFileSync(file, JSON.stringify({ sites: [{ listen: [':1'], routes: [{ echo: {} }] }] }));
    assert.equal((await loadConfigFile(file)).config.sites.length, 1);
  });

  it('a missing file: names the path and suggests -c', async () => {
    const file = join(dir, 'nope.yaml');
    await assert.rejects(loadConfigFile(file, { command: 'check' }), (error: Error) => {
      assert.match(error.message, /config file .*nope\.yaml not found/);
      assert.match(error.message, /`porta check -c <file>`/);
      return true;
    });
  });

  it('no file named and no ./porta.yaml: says where it looked', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await assert.rejects(
        loadConfigFile(undefined),
        /no porta\.yaml in .*; .*`porta run -c <file>`/,
      );
    } finally {
      process.chdir(cwd);
    }
  });

  it('a folder instead of a file', async () => {
    await assert.rejects(loadConfigFile(dir), /is a folder, not a file/);
  });
});
