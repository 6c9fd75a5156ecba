// The peer set: names resolved and re-resolved (peers kept, added, retired), failed lookups keep the old set, availability.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthChange, PeerHealth } from './peer-health.js';
import { type Peer, PeerSet, type PeerSpec } from './peer-set.js';

class TestPeer implements Peer {
  readonly id: string;
  readonly weight: number;
  readonly port: number;
  readonly health = new PeerHealth({ maxFails: 1, failTimeoutMs: 1000 }, { passes: 1, fails: 1 });
  active = 0;
  retired = false;
  constructor(
    readonly spec: PeerSpec,
    readonly address: string,
  ) {
    this.id = `${address}:${spec.port}`;
    this.weight = spec.weight;
    this.port = spec.port;
  }
  retire(): void {
    this.retired = true;
  }
}

const quiet = { info: () => undefined, warning: () => undefined };

describe('PeerSet', () => {
  it('IP literals need no lookup; names resolve, and re-resolve keeping known peers', async () => {
    let answer: string[] | Error = ['10.0.0.1', '10.0.0.2'];
    const set = new PeerSet<TestPeer>(
      [
        { host: '192.0.2.9', port: 80, weight: 1, label: 'fixed' },
        { host: 'app', port: 3000, weight: 2, label: 'app:3000' },
      ],
      {
        create: (spec, address) => new TestPeer(spec, address),
        resolveIntervalMs: 0,
        logger: quiet,
        resolve: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)),
      },
    );
    assert.deepEqual(
      set.peers.map((p) => p.id),
      ['192.0.2.9:80'],
    );
    await set.ready();
    const first = set.peers.map((p) => p.id);
    assert.deepEqual(first, ['192.0.2.9:80', '10.0.0.1:3000', '10.0.0.2:3000']);
    const kept = set.peers[2];
    const dropped = set.peers[1];
    answer = ['10.0.0.2', '10.0.0.3'];
    await set.refresh();
    assert.deepEqual(
      set.peers.map((p) => p.id),
      ['192.0.2.9:80', '10.0.0.2:3000', '10.0.0.3:3000'],
    );
    assert.equal(set.peers[1], kept);
    assert.equal(dropped?.retired, true);
    answer = new Error('SERVFAIL');
    await set.refresh();
    assert.equal(set.peers.length, 3, 'a failed lookup keeps what we had');
    set.close();
  });

  it('available(): peers out after failures come back when their time-out ends', () => {
    const set = new PeerSet<TestPeer>(
      [
        { host: '192.0.2.1', port: 80, weight: 1, label: 'a' },
        { host: '192.0.2.2', port: 80, weight: 1, label: 'b' },
      ],
      {
        create: (spec, address) => new TestPeer(spec, address),
        resolveIntervalMs: 0,
        logger: quiet,
      },
    );
    const [a] = set.peers;
    assert.equal(set.available(0).length, 2);
    assert.equal(a?.health.recordFailure(100), HealthChange.Down);
    set.markStale();
    assert.deepEqual(
      set.available(200).map((p) => p.id),
      ['192.0.2.2:80'],
    );
    assert.equal(set.available(1200).length, 2);
  });
});
