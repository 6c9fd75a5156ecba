// End to end: `porta run -c file` serves a multi-site config by Host, with ${VARS}, and SIGHUP reads the file again.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';

function get(
  port: number,
  host: string,
  path: string,
): Promise<{ status: number; body: string; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, location: res.headers.location });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function siteConfig(version: string): string {
  return `# A multi-site porta.yaml, as a user writes it.
sites:
  - listen: ["127.0.0.1:\${PORTA_E2E_PORT}"]
    hosts: [example.com]
    routes:
      - respond: { body: "example.com \${PORTA_E2E_NAME:-${version}}" }
      - path: /api
        respond: { status: 201, body: api }
  - listen: ["127.0.0.1:\${PORTA_E2E_PORT}"]
    hosts: ["*.example.org"]
    routes:
      - respond: { body: wildcard }
  - listen: ["127.0.0.1:\${PORTA_E2E_PORT}"]
    hosts: [www.example.com]
    routes:
      - redirect: { to: "https://example.com", keep_path: true }
  - listen: ["127.0.0.1:\${PORTA_E2E_PORT}"]
    routes:
      - respond: { status: 404, body: default }
workers: 1
log:
  access: off
`;
}

describe('porta run -c file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-run-'));
  const file = join(dir, 'porta.yaml');
  let porta: PortaProcess | undefined;
  let port = 0;

  before(async () => {
    port = await freePort();
    writeFileSync(file, siteConfig('v1'));
    // The child inherits this process's environment.
    process.env.PORTA_E2E_PORT = String(port);
    porta = await spawnPorta(['run', '-c', file]);
  });

  after(async () => {
    await porta?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs where it listens', () => {
    assert.match(porta?.stderr() ?? '', new RegExp(`Listening on http://127\\.0\\.0\\.1:${port}`));
  });

  it('serves each site by Host: exact, wildcard, redirect, default', async () => {
    assert.deepEqual(await get(port, 'example.com', '/'), {
      status: 200,
      body: 'example.com v1',
      location: undefined,
    });
    assert.equal((await get(port, 'EXAMPLE.com:80', '/api/users')).status, 201);
    assert.equal((await get(port, 'shop.example.org', '/')).body, 'wildcard');
    const moved = await get(port, 'www.example.com', '/about?x=1');
    assert.equal(moved.status, 301);
    assert.equal(moved.location, 'https://example.com/about?x=1');
    const other = await get(port, 'unknown.test', '/');
    assert.deepEqual([other.status, other.body], [404, 'default']);
  });

  it('reads the file again on SIGHUP; a bad edit is reported with its line and the old config stays', async () => {
    const child = porta?.child;
    assert.ok(child !== undefined);
    writeFileSync(
      file,
      siteConfig('v2').replace(
        'routes:\n      - respond: { status: 404',
        'rotes:\n      - respond: { status: 404',
      ),
    );
    child.kill('SIGHUP');
    await waitFor(() => /Reload failed/.test(porta?.stderr() ?? ''));
    assert.match(
      porta?.stderr() ?? '',
      /porta\.yaml:18:5 sites\[3\]\.rotes: unknown key, did you mean `routes`\?/,
    );
    assert.equal((await get(port, 'example.com', '/')).body, 'example.com v1');

    writeFileSync(file, siteConfig('v2'));
    child.kill('SIGHUP');
    await waitFor(async () => (await get(port, 'example.com', '/')).body === 'example.com v2');
  });
});

describe('porta run: relative paths start at the config file folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-run-static-'));
  let porta: PortaProcess | undefined;

  after(async () => {
    await porta?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a static root written as a relative path, wherever porta was started', async () => {
    mkdirSync(join(dir, 'site', 'public'), { recursive: true });
    writeFileSync(join(dir, 'site', 'public', 'index.html'), '<h1>from the config folder</h1>\n');
    const file = join(dir, 'site', 'porta.yaml');
    writeFileSync(
      file,
      'sites:\n  - listen: ["127.0.0.1:0"]\n    routes:\n      - static: { root: public }\nworkers: 1\nlog: { access: off }\n',
    );
    // This test process runs in the repository, not in dir/site.
    assert.notEqual(process.cwd(), join(dir, 'site'));
    porta = await spawnPorta(['run', '-c', file]);
    const response = await fetch(`${porta.url}/`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '<h1>from the config folder</h1>\n');
  });
});
