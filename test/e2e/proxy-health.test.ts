// End to end: active health checks take a backend out and bring it back (logged); DNS names resolve and re-resolve.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeAll, get, proxySite, sleep, startBackend, startPorta } from './proxy-harness.js';

after(closeAll);

describe('porta proxy: health', () => {
  it('active checks take a failing backend out and bring it back, logging both', async () => {
    let healthy = true;
    const flaky = await startBackend('flaky', (req, res) => {
      if (req.url === '/healthz') res.writeHead(healthy ? 200 : 500).end();
      else res.writeHead(200, { 'x-backend': 'flaky' }).end('flaky');
    });
    const steady = await startBackend('steady');
    const { url, logger } = await startPorta(
      proxySite({ to: [flaky.url, steady.url], health: { path: '/healthz', interval: '200ms' } }),
    );
    const spread = new Set<string | null>();
    for (let i = 0; i < 4; i++) spread.add((await get(`${url}/`)).backend);
    assert.deepEqual([...spread].sort(), ['flaky', 'steady']);

    healthy = false;
    await waitFor(() =>
      logger.lines.some((line) => line.includes('is down: health check GET /healthz: status 500')),
    );
    for (let i = 0; i < 6; i++) assert.equal((await get(`${url}/`)).backend, 'steady');

    healthy = true;
    await waitFor(() =>
      logger.lines.some((line) =>
        line.includes('is up again: health check GET /healthz: status 200'),
      ),
    );
    const back = new Set<string | null>();
    for (let i = 0; i < 4; i++) back.add((await get(`${url}/`)).backend);
    assert.deepEqual([...back].sort(), ['flaky', 'steady']);
  });

  it('a backend that stops listening is taken out by the checks before a request has to fail', async () => {
    const gone = await startBackend('gone');
    const stays = await startBackend('stays');
    const { url, logger } = await startPorta(
      proxySite({ to: [gone.url, stays.url], health: { path: '/', interval: '200ms' } }),
    );
    await gone.close();
    await waitFor(() =>
      logger.lines.some((line) => line.includes(`127.0.0.1:${gone.port} is down`)),
    );
    const failuresBefore = logger.lines.filter((line) => line.includes('failed for')).length;
    for (let i = 0; i < 6; i++) assert.equal((await get(`${url}/`)).backend, 'stays');
    assert.equal(logger.lines.filter((line) => line.includes('failed for')).length, failuresBefore);
  });

  it('upstreams by DNS name: localhost resolves and serves', async () => {
    const backend = await startBackend('named');
    const { url } = await startPorta(
      proxySite({ to: [`http://localhost:${backend.port}`], resolve_interval: '1s' }),
    );
    const response = await get(`${url}/`);
    assert.equal(response.status, 200);
    assert.equal(response.backend, 'named');
  });
});

async function waitFor(condition: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
