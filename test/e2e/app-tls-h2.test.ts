// End to end: the config's `app:` handler in 2 workers behind TLS, over HTTP/2 (by ALPN) and
// HTTP/1.1, with curl trusting the test CA: the app sees https URLs, cookies and streams work.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CurlProtocol, curl, field } from '../support/curl-client.js';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';
import { type TestPki, createTestPki } from '../support/tls-fixtures.js';

const HONO_EXAMPLE = fileURLToPath(new URL('../../examples/hono-app/server.ts', import.meta.url));
const URL_APP = `export default {
  fetch(request) {
    return new Response(request.url + '\\n', { headers: { 'Content-Type': 'text/plain' } });
  },
};
`;

describe('app: routes behind TLS and HTTP/2, 2 workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-app-tls-'));
  let pki: TestPki | undefined;
  let porta: PortaProcess | undefined;
  let base = '';

  before(async () => {
    pki = await createTestPki();
    const pair = await pki.issue(['localhost', '127.0.0.1'], 'site');
    writeFileSync(join(dir, 'url-app.mjs'), URL_APP);
    const port = await freePort();
    base = `https://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'porta.yaml'),
      [
        'workers: 2',
        'log: { access: off }',
        'sites:',
        `  - listen: ['127.0.0.1:${port}']`,
        `    tls: { cert: ${JSON.stringify(pair.certPath)}, key: ${JSON.stringify(pair.keyPath)} }`,
        '    routes:',
        '      - path: /where',
        '        app: { module: url-app.mjs }',
        '      - path: /',
        `        app: { module: ${JSON.stringify(HONO_EXAMPLE)} }`,
        '',
      ].join('\n'),
    );
    porta = await spawnPorta(['run', '-c', join(dir, 'porta.yaml')], 60_000);
    await waitFor(() => /\(2 workers\)/.test(porta?.stderr() ?? ''), 60_000);
  });

  after(async () => {
    await porta?.stop();
    pki?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** curl trusting the test CA (not -k): the certificate really verifies. */
  function get(protocol: 'h2' | 'http1', path: string, extra: readonly string[] = []) {
    const verified: CurlProtocol = protocol === 'h2' ? 'h2-verified' : 'http1';
    return curl(verified, ['--cacert', pki?.caPath ?? '', ...extra, `${base}${path}`]);
  }

  for (const protocol of ['h2', 'http1'] as const) {
    it(`serves the Hono example over ${protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1'} with TLS`, async () => {
      const home = await get(protocol, '/');
      assert.equal(home.status, 200);
      assert.equal(home.version, protocol === 'h2' ? '2' : '1.1');
      assert.equal(home.body.toString(), 'Hello from Hono on porta\n');
      const json = await get(protocol, '/json');
      assert.deepEqual(JSON.parse(json.body.toString()), {
        framework: 'hono',
        server: 'porta',
        ok: true,
      });
      const login = await get(protocol, '/login');
      assert.deepEqual(
        (login.headers.get('set-cookie') ?? []).map((cookie) => cookie.split(';')[0]),
        ['session=abc123', 'theme=dark'],
      );
      const whoami = await get(protocol, '/whoami', ['-H', 'Cookie: session=abc123']);
      assert.equal(whoami.body.toString(), 'session=abc123\n');
      const stream = await get(protocol, '/stream');
      assert.equal(stream.body.toString(), 'line 1\nline 2\nline 3\n');
      const posted = await get(protocol, '/echo', [
        '-H',
        'Content-Type: application/json',
        '--data-binary',
        '{"a":[1,2]}',
      ]);
      assert.equal(posted.status, 201);
      assert.deepEqual(JSON.parse(posted.body.toString()), { received: { a: [1, 2] } });
    });

    it(`gives the app an https URL with the real host over ${protocol}`, async () => {
      const where = await get(protocol, '/where?x=1');
      assert.equal(where.status, 200);
      assert.equal(where.body.toString(), `${base}/where?x=1\n`);
      assert.equal(field(where, 'content-type'), 'text/plain');
    });
  }

  it('answers from both workers', async () => {
    // Which worker takes a connection is the kernel's choice: both must be up, and every
    // answer must be right whichever of them gave it.
    assert.match(porta?.stderr() ?? '', /Worker 1 \(pid \d+\) serving/);
    assert.match(porta?.stderr() ?? '', /Worker 2 \(pid \d+\) serving/);
    const answers = await Promise.all(Array.from({ length: 10 }, () => get('h2', '/')));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array.from({ length: 10 }, () => 200),
    );
  });
});
