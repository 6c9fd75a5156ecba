// End to end: live reload under load: routes change, listeners come and go, no request fails.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type ConfigInput, type RunningServer, start } from '../../src/index.js';
import { httpGet } from '../support/http-get.js';

function configFor(port: number, version: number, extraPort?: number): ConfigInput {
  const sites: NonNullable<ConfigInput['sites']> = [
    {
      listen: [`127.0.0.1:${port}`],
      routes: [
        { path: '/', respond: { body: `v${version}` } },
        ...(version % 2 === 0 ? [{ path: '/even', respond: { body: 'even' } }] : []),
      ],
    },
  ];
  if (extraPort !== undefined) {
    sites.push({
      listen: [`127.0.0.1:${extraPort}`],
      routes: [{ path: '/', respond: { body: 'extra' } }],
    });
  }
  return { sites, log: { level: 'error', access: 'off' }, timeouts: { shutdown: '1s' } };
}

async function freePort(): Promise<number> {
  const probe = await start({
    sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: '/', respond: {} }] }],
    log: { level: 'error', access: 'off' },
  });
  const port = probe.addresses[0]?.port ?? 0;
  await probe.stop();
  return port;
}

describe('reload', () => {
  let server: RunningServer;
  let port = 0;

  before(async () => {
    port = await freePort();
    server = await start(configFor(port, 0));
  });

  after(async () => {
    await server.stop();
  });

  it('swaps routes 10 times under load with zero failed requests and zero refused connections', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });
    let failures = 0;
    let served = 0;
    const seen = new Set<string>();
    let loading = true;
    // Bounded load: 8 keep-alive workers and 2 new-connection-per-request workers, until the reloads end.
    const worker = async (agent: Agent | false): Promise<void> => {
      for (let i = 0; loading && i < 20_000; i++) {
        try {
          const response = await httpGet(port, '/', agent);
          if (response.status !== 200) failures++;
          seen.add(response.body);
          served++;
        } catch {
          failures++;
        }
      }
    };
    const workers = [
      ...Array.from({ length: 8 }, () => worker(keepAlive)),
      worker(false),
      worker(false),
    ];
    // Reloads spaced by requests served, not by time: a busy machine serves slowly.
    const serveSome = async (): Promise<void> => {
      const target = served + 12;
      const deadline = Date.now() + 10_000;
      while (served < target && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    for (let version = 1; version <= 10; version++) {
      await serveSome();
      await server.reload(configFor(port, version));
    }
    await serveSome();
    loading = false;
    await Promise.all(workers);
    keepAlive.destroy();
    assert.equal(failures, 0, `${failures} failed of ${served}`);
    assert.ok(served > 100, `only ${served} requests were served`);
    assert.ok(seen.has('v10'), 'the last config answers');
    assert.ok(seen.size >= 3, `responses came from several configs: ${[...seen].join(',')}`);
    assert.equal((await httpGet(port, '/even', false)).status, 200, 'route added by v10');
  });

  it('keeps the running config when the new one is invalid', async () => {
    await assert.rejects(
      server.reload({ sites: [{ listen: [`127.0.0.1:${port}`], routes: [{ path: 'nope' }] }] }),
      /invalid configuration/,
    );
    assert.equal((await httpGet(port, '/', false)).body, 'v10');
  });

  it('keeps the running config when a new listener cannot bind', async () => {
    const blocker = await start({
      sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: '/', respond: { body: 'blocker' } }] }],
      log: { level: 'error', access: 'off' },
    });
    const taken = blocker.addresses[0]?.port ?? 0;
    try {
      await assert.rejects(server.reload(configFor(port, 11, taken)), /already in use/);
      assert.equal((await httpGet(port, '/', false)).body, 'v10');
    } finally {
      await blocker.stop();
    }
  });

  it('opens added listeners and closes removed ones', async () => {
    const extra = await freePort();
    await server.reload(configFor(port, 12, extra));
    assert.equal((await httpGet(extra, '/', false)).body, 'extra');
    assert.equal(server.addresses.length, 2);
    await server.reload(configFor(port, 13));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await assert.rejects(httpGet(extra, '/', false), /ECONNREFUSED/);
    assert.equal((await httpGet(port, '/', false)).body, 'v13');
  });
});
