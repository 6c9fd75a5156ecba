// Unit tests for the worker's end of the IPC channel: ids, replies, timeouts, a closed channel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkerMessage } from './messages.js';
import { type ChannelPort, WorkerChannel } from './worker-channel.js';

const ZONE = { id: 'z', perSecond: 1, burst: 1, maxClients: 1 };

function port(connected = true): ChannelPort & { readonly sent: WorkerMessage[] } {
  const sent: WorkerMessage[] = [];
  return {
    sent,
    connected,
    send(message, callback) {
      sent.push(message);
      callback(null);
    },
  };
}

describe('WorkerChannel', () => {
  it('matches replies to asks by id, whatever their order', async () => {
    const out = port();
    const channel = new WorkerChannel(out, 42);
    const first = channel.ask({ kind: 'rate-take', zone: ZONE, key: 'a', want: 1 });
    const second = channel.ask({ kind: 'rate-take', zone: ZONE, key: 'b', want: 1 });
    const ids = out.sent.map((m) => (m.type === 'porta:ask' ? m.id : -1));
    assert.equal(new Set(ids).size, 2);
    channel.receive({ type: 'porta:reply', id: ids[1] ?? 0, reply: { granted: 0, retryMs: 5 } });
    channel.receive({ type: 'porta:reply', id: ids[0] ?? 0, reply: { granted: 1, retryMs: 0 } });
    assert.deepEqual(await first, { granted: 1, retryMs: 0 });
    assert.deepEqual(await second, { granted: 0, retryMs: 5 });
  });

  it('gives up on an ask after its timeout, and on every ask when the channel closes', async () => {
    const channel = new WorkerChannel(port(), 42, 20);
    await assert.rejects(
      channel.ask({ kind: 'rate-take', zone: ZONE, key: 'a', want: 1 }),
      /did not answer within 20 ms/,
    );
    const slow = new WorkerChannel(port(), 42, 60_000);
    const pending = slow.ask({ kind: 'rate-take', zone: ZONE, key: 'a', want: 1 });
    slow.close();
    await assert.rejects(pending, /closed/);
    await assert.rejects(
      new WorkerChannel(port(false), 42).ask({ kind: 'rate-take', zone: ZONE, key: 'a', want: 1 }),
      /no IPC channel/,
    );
  });

  it('hands events to its listener', () => {
    const channel = new WorkerChannel(port(), 42);
    const events: unknown[] = [];
    channel.listen((event) => events.push(event));
    channel.receive({ type: 'porta:event', event: { kind: 'checker', runChecks: true } });
    assert.deepEqual(events, [{ kind: 'checker', runChecks: true }]);
  });
});
