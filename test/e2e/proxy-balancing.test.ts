// End to end: each balancing policy spreads requests over real node:http backends the way it promises.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  type Backend,
  closeAll,
  get,
  proxySite,
  startBackend,
  startPorta,
} from './proxy-harness.js';

after(closeAll);

async function backends(count: number): Promise<Backend[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => startBackend(`b${i}`)));
}

/** Sends `count` sequential GETs and counts answers per backend. */
async function tally(
  url: string,
  count: number,
  headers: (i: number) => Record<string, string> = () => ({}),
) {
  const counts = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const response = await get(`${url}/x`, headers(i));
    assert.equal(response.status, 200);
    const name = response.backend ?? '?';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

describe('porta proxy: balancing policies over real backends', () => {
  it('round-robin: every backend in turn', async () => {
    const list = await backends(3);
    const { url } = await startPorta(proxySite({ to: list.map((b) => b.url) }));
    const counts = await tally(url, 30);
    assert.deepEqual([...counts.values()], [10, 10, 10]);
  });

  it('weighted: shares follow the weights', async () => {
    const [heavy, light] = (await backends(2)) as [Backend, Backend];
    const { url } = await startPorta(
      proxySite({
        balance: 'weighted',
        to: [
          { url: heavy.url, weight: 3 },
          { url: light.url, weight: 1 },
        ],
      }),
    );
    const counts = await tally(url, 40);
    assert.equal(counts.get('b0'), 30);
    assert.equal(counts.get('b1'), 10);
  });

  it('least-conn: a slow backend gets fewer of the concurrent requests', async () => {
    const slow = await startBackend('slow', (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'x-backend': 'slow' }).end('slow'), 300);
    });
    const fast = await startBackend('fast', (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'x-backend': 'fast' }).end('fast'), 5);
    });
    const { url } = await startPorta(
      proxySite({ balance: 'least-conn', to: [slow.url, fast.url] }),
    );
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 20));
        return (await get(`${url}/`)).backend;
      }),
    );
    const toSlow = answers.filter((name) => name === 'slow').length;
    assert.ok(toSlow <= 4, `slow backend got ${toSlow} of 20`);
    assert.ok(answers.every((name) => name === 'slow' || name === 'fast'));
  });

  it('ip-hash: one client address always reaches the same backend', async () => {
    const list = await backends(3);
    const { url } = await startPorta(proxySite({ balance: 'ip-hash', to: list.map((b) => b.url) }));
    const counts = await tally(url, 15);
    assert.equal(counts.size, 1);
  });

  it('ip-hash behind a trusted proxy hashes the forwarded client address', async () => {
    const list = await backends(3);
    const { url } = await startPorta(
      proxySite({ balance: 'ip-hash', trusted_proxies: ['127.0.0.1'], to: list.map((b) => b.url) }),
    );
    const counts = await tally(url, 60, (i) => ({ 'x-forwarded-for': `198.51.100.${i % 20}` }));
    assert.ok(counts.size >= 2, 'different clients spread over backends');
    for (let i = 0; i < 3; i++) {
      const first = await get(`${url}/`, { 'x-forwarded-for': '203.0.113.9' });
      const again = await get(`${url}/`, { 'x-forwarded-for': '203.0.113.9' });
      assert.equal(first.backend, again.backend);
    }
  });

  it('header-hash: the same header value sticks, different values spread', async () => {
    const list = await backends(3);
    const { url } = await startPorta(
      proxySite({ balance: 'header-hash', hash_header: 'X-User', to: list.map((b) => b.url) }),
    );
    const sticky = await tally(url, 10, () => ({ 'x-user': 'alice' }));
    assert.equal(sticky.size, 1);
    const spread = await tally(url, 60, (i) => ({ 'x-user': `user-${i}` }));
    assert.equal(spread.size, 3);
  });

  it('random: every backend gets some', async () => {
    const list = await backends(3);
    const { url } = await startPorta(proxySite({ balance: 'random', to: list.map((b) => b.url) }));
    const counts = await tally(url, 90);
    assert.equal(counts.size, 3);
    for (const count of counts.values()) assert.ok(count >= 10, `a share of ${count} of 90`);
  });

  it('first: the first backend while it is up, the next one when it is gone', async () => {
    const list = await backends(2);
    const { url } = await startPorta(proxySite({ balance: 'first', to: list.map((b) => b.url) }));
    const before = await tally(url, 5);
    assert.deepEqual([...before.entries()], [['b0', 5]]);
    await (list[0] as Backend).close();
    const afterClose = await tally(url, 5);
    assert.deepEqual([...afterClose.entries()], [['b1', 5]]);
  });
});
