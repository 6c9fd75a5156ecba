// End to end: the topology of examples/compose (a front porta, two app containers reached by
// name) played with processes on loopback: static site at /, the apps behind /api.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

describe('compose topology on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-compose-'));
  const running: PortaProcess[] = [];
  let front: PortaProcess;
  const appLog = (i: number) => join(dir, `app${i}.log`);

  before(async () => {
    for (const i of [1, 2]) {
      running.push(
        await spawnPorta([
          'echo',
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--access-log-file',
          appLog(i),
          '--name',
          `app${i}`,
        ]),
      );
    }
    // The example's config with the service names replaced by loopback ports; "localhost" is
    // still a name to resolve, as app1 and app2 are in Docker's DNS.
    const example = readFileSync(resolve('examples/compose/porta.yaml'), 'utf8');
    const ports = running.map((p) => new URL(p.url).port);
    const config = example
      .replace("[':8080']", "['127.0.0.1:0']")
      .replace('/app/site', resolve('site'))
      .replace('http://app1:3000', `http://localhost:${ports[0]}`)
      .replace('http://app2:3000', `http://localhost:${ports[1]}`)
      .replace('workers: auto', 'workers: 1');
    const file = join(dir, 'porta.yaml');
    writeFileSync(file, config);
    front = await spawnPorta(['run', '-c', file]);
    running.push(front);
  });

  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the welcome site itself', async () => {
    const response = await fetch(`${front.url}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /porta/i);
  });

  it('reaches both apps by name behind /api, with the prefix stripped', async () => {
    const servedBy = new Set<string | null>();
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${front.url}/api/hello?n=${i}`);
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.match(text, new RegExp(`^GET /hello\\?n=${i} HTTP/1\\.1\\r\\n`));
      assert.match(text, /X-Forwarded-For: 127\.0\.0\.1/i);
      servedBy.add(response.headers.get('x-served-by'));
    }
    // What the compose example promises: the answer names the app that gave it.
    assert.deepEqual([...servedBy].sort(), ['app1', 'app2']);
    // Access logs are written in batches: give them a moment.
    await new Promise((r) => setTimeout(r, 300));
    const counts = [1, 2].map(
      (i) => readFileSync(appLog(i), 'utf8').split('\n').filter(Boolean).length,
    );
    assert.ok(
      counts.every((n) => n >= 3),
      `round-robin spread: ${counts.join(' / ')}`,
    );
  });
});
