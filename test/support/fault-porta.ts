// A porta process (1 or 2 workers) proxying to a scripted upstream, for early-close and early-answer tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PortaProcess, spawnPorta } from './porta-process.js';
import { type ScriptedUpstream, startScriptedUpstream } from './scripted-upstream.js';

export interface FaultRig {
  readonly porta: PortaProcess;
  readonly upstream: ScriptedUpstream;
  readonly port: number;
  readonly workers: number;
  /** The process lives, no worker died, and fresh requests through both routes are served. */
  assertAlive(): Promise<void>;
  /** Waits until the upstream saw `count` closes of connections that carried `mode`. */
  waitUpstreamClosed(mode: string, count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Routes: `/c/...` proxies with default passive health and a 2 s upstream idle timeout (shorter
 * than the 30 s client body timeout, so an upstream wrongly timed on a slow client shows at
 * once); `/u/...` proxies with passive health off and no retries (upstream faults, one at a time).
 */
export async function startFaultRig(workers: number): Promise<FaultRig> {
  const upstream = await startScriptedUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'porta-fault-'));
  const to = [`http://127.0.0.1:${upstream.port}`];
  const config = {
    workers,
    pid_file: join(dir, 'porta.pid'),
    log: { access: 'off' },
    limits: { max_body_size: 0 },
    timeouts: { body: '30s', header: '30s' },
    sites: [
      {
        listen: ['127.0.0.1:0'],
        routes: [
          { path: '/c/', proxy: { to, timeouts: { idle: '2s' } } },
          { path: '/u/', proxy: { to, retries: 0, passive_health: { max_fails: 0 } } },
        ],
      },
    ],
  };
  const file = join(dir, 'porta.json');
  writeFileSync(file, JSON.stringify(config));
  let porta: PortaProcess;
  try {
    porta = await spawnPorta(['run', '-c', file], 20_000);
  } catch (error) {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const port = Number(new URL(porta.url).port);
  const rig: FaultRig = {
    porta,
    upstream,
    port,
    workers,
    async assertAlive() {
      assert.equal(porta.child.exitCode, null, `porta exited:\n${porta.stderr()}`);
      assert.doesNotMatch(porta.stderr(), /died|Unhandled|uncaught/i, porta.stderr());
      for (const path of ['/c/echo', '/u/echo']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          body: 'ping',
          signal: AbortSignal.timeout(10_000),
        });
        assert.equal(response.status, 200, `${path}: ${porta.stderr()}`);
        assert.equal(await response.text(), 'got 4');
      }
    },
    async waitUpstreamClosed(mode, count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ((upstream.closes.get(mode) ?? 0) < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `upstream connection for ${mode} still open after ${timeoutMs} ms:\n${porta.stderr()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      try {
        await porta.stop('SIGTERM');
      } finally {
        await upstream.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return rig;
}
