// Upstream counters across a reload (two peers for one address), after removal, and merged across processes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouteStats } from './route-stats.js';
import { type Series, mergeSnapshots } from './snapshot.js';
import { type LivePeer, UpstreamFailureSlot } from './upstream-stats.js';

function peer(active: number, up: boolean): LivePeer {
  return { active, isUp: () => up };
}

function find(series: readonly Series[], name: string, kind?: string): number | undefined {
  return series.find((s) => s.name === name && (kind === undefined || s.labels.kind === kind))
    ?.value;
}

describe('upstream stats', () => {
  it('sums in-flight over the peers of a reload and takes health from the newest', () => {
    const route = new RouteStats({ site: '0', host: '*', route: '/api' });
    const stats = route.upstream('app:3000', '10.0.0.7:3000');
    assert.equal(route.upstream('app:3000', '10.0.0.7:3000'), stats, 'the same counters again');
    const old = peer(2, true);
    const fresh = peer(1, false);
    stats.attach(old);
    stats.attach(fresh);
    stats.requests += 5;
    stats.retries += 1;
    stats.failed(UpstreamFailureSlot.Connect);
    stats.failed(UpstreamFailureSlot.Connect);
    stats.failed(UpstreamFailureSlot.Stale);
    const out: Series[] = [];
    stats.addSeries(out, Date.now());
    assert.equal(find(out, 'porta_upstream_in_flight'), 3);
    assert.equal(find(out, 'porta_upstream_healthy'), 0);
    assert.equal(find(out, 'porta_upstream_requests_total'), 5);
    assert.equal(find(out, 'porta_upstream_retries_total'), 1);
    assert.equal(find(out, 'porta_upstream_failures_total', 'connect'), 2);
    assert.equal(find(out, 'porta_upstream_failures_total', 'stale'), 1);
    assert.equal(find(out, 'porta_upstream_failures_total', 'reset'), undefined);
    assert.deepEqual(out[0]?.labels, {
      site: '0',
      host: '*',
      route: '/api',
      upstream: 'app:3000',
      address: '10.0.0.7:3000',
    });
  });

  it('keeps the counters of a removed upstream without gauges, and shows none never used', () => {
    const route = new RouteStats({ site: '0', host: '*', route: '/' });
    const used = route.upstream('a:1', '10.0.0.1:1');
    const unused = route.upstream('b:1', '10.0.0.2:1');
    const p = peer(0, true);
    used.attach(p);
    used.requests++;
    used.detach(p);
    const out: Series[] = [];
    used.addSeries(out, Date.now());
    unused.addSeries(out, Date.now());
    assert.deepEqual(
      out.map((s) => s.name),
      ['porta_upstream_requests_total', 'porta_upstream_retries_total'],
    );
  });

  it('merges health across processes as the highest view, counters as the sum', () => {
    const labels = { address: '10.0.0.1:1' };
    const one: Series[] = [
      { name: 'porta_upstream_healthy', labels, value: 0 },
      { name: 'porta_upstream_requests_total', labels, value: 2 },
      { name: 'porta_upstream_in_flight', labels, value: 1 },
    ];
    const two: Series[] = [
      { name: 'porta_upstream_healthy', labels, value: 1 },
      { name: 'porta_upstream_requests_total', labels, value: 3 },
      { name: 'porta_upstream_in_flight', labels, value: 2 },
    ];
    const merged = mergeSnapshots([one, two]);
    assert.equal(find(merged, 'porta_upstream_healthy'), 1);
    assert.equal(find(merged, 'porta_upstream_requests_total'), 5);
    assert.equal(find(merged, 'porta_upstream_in_flight'), 3);
    const bothDown = mergeSnapshots([one, one.map((s) => ({ ...s }))]);
    assert.equal(find(bothDown, 'porta_upstream_healthy'), 0);
  });
});
