// End to end: HTTP/2 (h2c) under `porta run` with 2 workers: served by both, and a slow stream in flight finishes across a reload (GOAWAY, then drain).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ClientHttp2Session } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listenOn, openSession, request, slowUpstream } from '../support/h2-client.js';
import { freePort, runPorta, spawnPorta } from '../support/porta-process.js';

describe('HTTP/2 with 2 workers', () => {
  it('serves h2c from both workers and finishes a slow stream across a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-h2-workers-'));
    const file = join(dir, 'porta.yaml');
    const pidFile = join(dir, 'porta.pid');
    const upstream = slowUpstream(2000);
    const sessions: ClientHttp2Session[] = [];
    let porta: Awaited<ReturnType<typeof spawnPorta>> | null = null;
    try {
      const upstreamPort = await listenOn(upstream);
      const port = await freePort();
      const write = (version: number): void => {
        writeFileSync(
          file,
          [
            'workers: 2',
            'log: { access: "off" }',
            'timeouts: { shutdown: 10s }',
            'sites:',
            `  - listen: ["127.0.0.1:${port}"]`,
            '    http2: h2c',
            '    routes:',
            '      - path: /',
            `        respond: { body: "v${version}" }`,
            '      - path: /slow',
            `        proxy: { to: ["http://127.0.0.1:${upstreamPort}"] }`,
            '',
          ].join('\n'),
        );
      };
      write(1);
      porta = await spawnPorta(['run', '-c', file, '--pid-file', pidFile]);
      for (let i = 0; i < 600 && !existsSync(pidFile); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const base = `http://127.0.0.1:${port}`;
      // Several connections: the kernel spreads them over both workers; each must speak h2.
      for (let i = 0; i < 6; i++) {
        const session = await openSession(base);
        sessions.push(session);
        const result = await request(session, '/');
        assert.equal(result.status, 200);
        assert.equal(result.body.toString(), 'v1');
      }
      const slowSession = sessions[0] as ClientHttp2Session;
      const reached = once(upstream, 'request');
      const slow = request(slowSession, '/slow/in-flight');
      // In flight once the upstream holds it (a fixed pause may end before a busy worker sent it).
      await reached;
      write(2);
      const reloaded = await runPorta(['reload', '-c', file, '--pid-file', pidFile]);
      assert.equal(reloaded.code, 0, reloaded.stderr);
      const result = await slow;
      assert.equal(result.status, 200);
      assert.equal(result.body.toString(), 'slow but sure\n');
      // New connections reach the new generation.
      const deadline = Date.now() + 20_000;
      let body = '';
      while (body !== 'v2' && Date.now() < deadline) {
        const session = await openSession(base);
        sessions.push(session);
        body = (await request(session, '/')).body.toString();
      }
      assert.equal(body, 'v2');
    } finally {
      for (const session of sessions) session.destroy();
      await porta?.stop();
      await new Promise<void>((resolve) =>
        upstream.close(() => {
          resolve();
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
