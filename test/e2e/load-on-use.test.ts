// End to end: one process loads TLS and the directives only when its config uses them; a reload
// that brings them in serves them at once, and a reload that takes them away serves on without.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadedModules, recordModules } from '../support/module-record.js';
import { type PortaProcess, freePort, isListening, spawnPorta } from '../support/porta-process.js';
import { type TestPki, createTestPki, httpsGet } from '../support/tls-fixtures.js';
import { waitFor } from '../support/wait-for.js';

/** A plain site on `plainPort`; with `extras`, directives on it and a TLS site on `tlsPort`. */
function config(plainPort: number, tlsPort: number, extras: boolean): string {
  const plain = [
    `  - listen: ["127.0.0.1:${plainPort}"]`,
    ...(extras ? ['    response_headers: { set: { X-Directive: "on" } }'] : []),
    '    routes:',
    ...(extras
      ? [
          '      - { path: /limited, respond: { body: "limited" }, rate_limit: { rate: "1r/m", burst: 1 } }',
        ]
      : []),
    '      - respond: { body: "plain" }',
  ];
  const secure = [
    `  - listen: ["127.0.0.1:${tlsPort}"]`,
    '    hosts: [localhost]',
    '    tls: { cert: leaf.pem, key: leaf-key.pem }',
    '    routes:',
    '      - respond: { body: "secure" }',
  ];
  return [
    'workers: 1',
    'log: { access: "off" }',
    'sites:',
    ...plain,
    ...(extras ? secure : []),
    '',
  ].join('\n');
}

/** Status, X-Directive and body of a GET over a fresh connection. */
async function get(url: string): Promise<[number, string | null, string]> {
  const response = await fetch(url, { headers: { connection: 'close' } });
  return [response.status, response.headers.get('x-directive'), await response.text()];
}

/** Code a plain config without directives never needs (by name, whatever the build bundles). */
const TLS_OR_DIRECTIVES = /^node:tls$|\/net\/tls-acceptor\.ts$|\/handlers\/directives\//;

describe('code loaded on first use', () => {
  let pki: TestPki;
  before(async () => {
    pki = await createTestPki();
    await pki.issue(['localhost'], 'leaf');
  });
  after(() => {
    pki.remove();
  });

  it('porta run (one process): plain HTTP, a reload adds TLS and directives, another takes them away', async () => {
    const plainPort = await freePort();
    const tlsPort = await freePort();
    const file = join(pki.dir, 'porta.yaml');
    writeFileSync(file, config(plainPort, tlsPort, false));
    const { modules, env } = recordModules(pki.dir, 'modules');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['run', '-c', file], 60_000, { env });
      const running = porta;
      const pid = running.child.pid ?? 0;
      const plain = `http://127.0.0.1:${plainPort}`;
      assert.deepEqual(await get(`${plain}/`), [200, null, 'plain']);
      const atStart = loadedModules(modules).get(pid) ?? [];
      assert.ok(atStart.length > 0, 'recorded');
      assert.deepEqual(
        atStart.filter((url) => TLS_OR_DIRECTIVES.test(url)),
        [],
      );

      const reloads = (): number => running.stderr().split('Configuration reloaded').length - 1;
      writeFileSync(file, config(plainPort, tlsPort, true));
      running.child.kill('SIGHUP');
      await waitFor(() => reloads() === 1, 30_000);
      const secure = await httpsGet(tlsPort, { ca: pki.caPem, servername: 'localhost' });
      assert.deepEqual([secure.status, secure.body], [200, 'secure']);
      assert.deepEqual(await get(`${plain}/`), [200, 'on', 'plain']);
      assert.deepEqual(await get(`${plain}/limited`), [200, 'on', 'limited']);
      assert.equal((await get(`${plain}/limited`))[0], 429);
      const loaded = loadedModules(modules).get(pid) ?? [];
      assert.ok(loaded.includes('node:tls'), 'node:tls loaded by the reload');

      writeFileSync(file, config(plainPort, tlsPort, false));
      running.child.kill('SIGHUP');
      await waitFor(() => reloads() === 2, 30_000);
      assert.deepEqual(await get(`${plain}/`), [200, null, 'plain']);
      assert.deepEqual(await get(`${plain}/limited`), [200, null, 'plain']);
      await waitFor(async () => !(await isListening(tlsPort)), 30_000);
    } finally {
      await porta?.stop();
    }
  });
});
