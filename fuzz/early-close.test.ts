// Property: whatever phase the client and the upstream give up or answer in, porta (1 or 2 workers) lives and serves the next request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type FaultRig, startFaultRig } from '../test/support/fault-porta.js';
import { RawClient } from '../test/support/raw-client.js';
import type { UpstreamMode } from '../test/support/scripted-upstream.js';

/** Answers before the body: the crash of issue 8 lived there, so they come up more often. */
const EARLY_MODES: readonly UpstreamMode[] = ['early', 'early-keep'];
const OTHER_MODES: readonly UpstreamMode[] = [
  'echo',
  'hang',
  'close-before-head',
  'close-mid-head',
  'close-mid-body',
  'close-mid-small-body',
  'close-mid-chunk',
  'stream',
  'ws',
  'ws-close',
];

/** Where the client stops sending, and how it leaves. */
interface Scenario {
  readonly upstream: UpstreamMode;
  readonly body: 'none' | 'length' | 'chunked';
  readonly declared: number;
  /** What the client sends before it stops: part of the head, the head and part of the body, or all. */
  readonly cut: 'head' | 'body' | 'all';
  /** Where in that part it stops: 0..1. */
  readonly at: number;
  /** How long the client then waits for the response (ms), at most. */
  readonly waitMs: number;
  readonly leave: 'reset' | 'half-close' | 'close';
  /** Leave as soon as this many response bytes arrived (0: wait the whole waitMs or the end). */
  readonly leaveAfterBytes: number;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  upstream: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EARLY_MODES) },
    { weight: 5, arbitrary: fc.constantFrom(...OTHER_MODES) },
  ),
  body: fc.oneof(
    { weight: 1, arbitrary: fc.constant('none' as const) },
    { weight: 2, arbitrary: fc.constant('length' as const) },
    { weight: 1, arbitrary: fc.constant('chunked' as const) },
  ),
  declared: fc.integer({ min: 0, max: 3000 }),
  cut: fc.constantFrom('head' as const, 'body' as const, 'all' as const),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  waitMs: fc.integer({ min: 0, max: 600 }),
  leave: fc.constantFrom('reset' as const, 'half-close' as const, 'close' as const),
  leaveAfterBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 })),
});

/** The request's bytes as far as the client sends them: head (with Upgrade for the ws modes) and body. */
function requestBytes(s: Scenario): Buffer {
  const upgrade = s.upstream.startsWith('ws');
  let head = `${s.body === 'none' ? 'GET' : 'POST'} /u/${s.upstream} HTTP/1.1\r\nHost: fuzz\r\n`;
  if (upgrade) head += 'Connection: Upgrade\r\nUpgrade: websocket\r\n';
  let body = '';
  if (s.body === 'length') {
    head += `Content-Length: ${s.declared}\r\n`;
    body = 'x'.repeat(s.declared);
  } else if (s.body === 'chunked') {
    head += 'Transfer-Encoding: chunked\r\n';
    body =
      s.declared === 0
        ? '0\r\n\r\n'
        : `${s.declared.toString(16)}\r\n${'x'.repeat(s.declared)}\r\n0\r\n\r\n`;
  }
  head += '\r\n';
  const whole = Buffer.from(head + body, 'latin1');
  const headLength = Buffer.byteLength(head, 'latin1');
  if (s.cut === 'head') return whole.subarray(0, Math.floor(headLength * s.at));
  if (s.cut === 'body') {
    return whole.subarray(0, headLength + Math.floor((whole.length - headLength) * s.at));
  }
  return whole;
}

async function play(rig: FaultRig, s: Scenario): Promise<void> {
  const client = await RawClient.open(rig.port);
  try {
    client.write(requestBytes(s));
    const target = s.leaveAfterBytes;
    await client
      .until(
        () => client.ended || (target > 0 && client.received >= target),
        'the response',
        s.waitMs,
      )
      .catch(() => undefined); // running out of waitMs is one of the phases
    if (s.leave === 'reset') client.reset();
    else if (s.leave === 'half-close') client.end();
    else client.destroy();
  } finally {
    // A half-closed client lingers at most briefly: the scenario is over for it.
    setTimeout(() => {
      client.destroy();
    }, 200).unref();
  }
}

for (const workers of [1, 2]) {
  describe(`fuzz: early close and early answers, both sides (${workers} worker${workers === 1 ? '' : 's'})`, () => {
    let rig: FaultRig;
    before(async () => {
      rig = await startFaultRig(workers);
    });
    after(async () => {
      await rig.close();
    });

    it('porta lives and serves the next request after every scenario', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          await play(rig, s);
          await rig.assertAlive();
        }),
        { numRuns: 30, endOnFailure: true },
      );
      assert.equal(rig.porta.child.exitCode, null);
    });
  });
}
