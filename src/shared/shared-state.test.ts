// Unit tests for server-wide state seen from several processes: leases, refusals, health events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRemoteSharedState } from './shared-state.js';
import type {
  AskKind,
  AskOf,
  ReplyOf,
  StateEvent,
  StateReport,
  StateTransport,
} from './state-protocol.js';
import { StateServer } from './state-server.js';

/** Several "workers" around one StateServer; answers come a turn later, as over IPC. */
class Hub {
  readonly server = new StateServer();
  readonly #listeners = new Map<number, (event: StateEvent) => void>();
  asks = 0;
  broken = false;

  transport(pid: number): StateTransport {
    return {
      pid,
      ask: <K extends AskKind>(ask: AskOf<K>): Promise<ReplyOf<K>> => {
        this.asks++;
        if (this.broken) return Promise.reject(new Error('no answer'));
        return new Promise((resolve) =>
          setImmediate(() => {
            resolve(this.server.ask(ask, Date.now()));
          }),
        );
      },
      report: (report: StateReport) => {
        setImmediate(() => {
          const event = this.server.report(report, pid, Date.now());
          if (event !== null) for (const listener of this.#listeners.values()) listener(event);
        });
      },
      listen: (listener) => {
        this.#listeners.set(pid, listener);
      },
    };
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const ZONE = { id: 'rate test', perSecond: 1 / 60, burst: 2, maxClients: 100 };

describe('shared state across processes', () => {
  it('a burst of 2 is 2 for the server, however requests spread over workers', async () => {
    const hub = new Hub();
    const workers = [1, 2, 3].map((pid) =>
      createRemoteSharedState(hub.transport(pid), { warn: () => undefined }).rateLimiter(ZONE),
    );
    let ok = 0;
    for (let i = 0; i < 30; i++) {
      const limiter = workers[i % 3];
      assert.ok(limiter !== undefined);
      if ((await limiter.take('192.0.2.1', Date.now())) === 0) ok++;
    }
    assert.equal(ok, 2);
    // Refusals are remembered: each worker asked until it was told no, then decided alone.
    assert.ok(hub.asks <= 6, `${hub.asks} asks`);
  });

  it('leases a batch when the budget is large, so most requests never ask', async () => {
    const hub = new Hub();
    const limiter = createRemoteSharedState(hub.transport(1), {
      warn: () => undefined,
    }).rateLimiter({ id: 'big', perSecond: 1000, burst: 1000, maxClients: 10 });
    for (let i = 0; i < 100; i++) assert.equal(await limiter.take('c', Date.now()), 0);
    assert.ok(hub.asks <= 3, `${hub.asks} asks`);
  });

  it('decides in the worker when the primary does not answer, and says so', async () => {
    const hub = new Hub();
    hub.broken = true;
    const warnings: string[] = [];
    const limiter = createRemoteSharedState(hub.transport(1), {
      warn: (message) => warnings.push(message),
    }).rateLimiter(ZONE);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.take('c', Date.now()));
    assert.deepEqual(
      results.map((wait) => wait === 0),
      [true, true, false, false],
    );
    assert.equal(warnings.length, 1);
    // Asked once, then decided here for a while: a stuck primary does not slow every request.
    assert.equal(hub.asks, 1);
  });

  it('a refused login reaches every worker; only the reporter is told to log it', async () => {
    const hub = new Hub();
    const zone = { id: 'logins', maxFailures: 2, windowMs: 60_000 };
    const told: number[] = [];
    const guards = [1, 2].map((pid) =>
      createRemoteSharedState(hub.transport(pid), { warn: () => undefined }).loginGuard(zone, () =>
        told.push(pid),
      ),
    );
    const [a, b] = guards;
    assert.ok(a !== undefined && b !== undefined);
    a.failed('203.0.113.5');
    b.failed('203.0.113.5');
    await turn();
    await turn();
    assert.ok(a.refusedMs('203.0.113.5', Date.now()) > 59_000);
    assert.ok(b.refusedMs('203.0.113.5', Date.now()) > 59_000);
    assert.equal(a.refusedMs('203.0.113.6', Date.now()), 0);
    assert.deepEqual(told, [2]);
  });

  it('health: a failure in one worker takes the peer out in all; a late worker catches up', async () => {
    const hub = new Hub();
    const group = { id: 'g', maxFails: 1, failTimeoutMs: 10_000, passes: 1, fails: 1 };
    const seen = new Map<number, string[]>();
    const view = (pid: number) =>
      createRemoteSharedState(hub.transport(pid), { warn: () => undefined }).healthView(group, {
        onPeerHealth: (update, mine) => {
          const list = seen.get(pid) ?? [];
          list.push(`${update.peer} ${update.change ?? 'now'} ${update.downUntil > 0} ${mine}`);
          seen.set(pid, list);
        },
        onChecker: () => undefined,
      });
    const first = view(1);
    view(2);
    first.failed('10.0.0.1:80');
    await turn();
    await turn();
    assert.deepEqual(seen.get(1), ['10.0.0.1:80 down true true']);
    assert.deepEqual(seen.get(2), ['10.0.0.1:80 down true false']);
    view(3);
    await turn();
    await turn();
    assert.deepEqual(seen.get(3), ['10.0.0.1:80 now true false']);
  });
});
