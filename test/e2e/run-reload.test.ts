// End to end: `porta run` with 2 workers, `porta reload` 10 times under load: no failed request,
// no refused connection; `porta stop` ends it cleanly. A reload reports done only once the
// workers it retires accept no new connection: one of them still drains a request in flight (it
// finishes there), but no longer holds the listening socket when `porta reload` returns, so every
// new connection is the new configuration's. The old workers are kept busy (an app that blocks
// its event loop for 2 s) while the reload retires them, so they read the shutdown late: a
// reload that did not wait for them would return while they still accept.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, runPorta, spawnPorta } from '../support/porta-process.js';
import { httpGet } from '../support/http-get.js';
import { waitFor } from '../support/wait-for.js';

/** The socket inodes listening on `port` (IPv4 and IPv6), from /proc/net/tcp*. */
function listeningInodes(port: number): Set<string> {
  const out = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local address "ADDR:PORT", state 0A = LISTEN, inode in the tenth column.
      if (fields[1]?.endsWith(`:${hexPort}`) === true && fields[3] === '0A' && fields[9]) {
        out.add(fields[9]);
      }
    }
  }
  return out;
}

/** The socket inodes process `pid` has open ([] once it has exited). */
function socketInodes(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(dir, fd)));
      if (match?.[1] !== undefined) out.push(match[1]);
    } catch {
      // Closed between the listing and the read.
    }
  }
  return out;
}

/** The pids of `pid`'s child processes (the cluster's workers). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

/** Routes of the hand-over test: an echo to hold a request in flight, an app that blocks 2 s. */
const BUSY_ROUTES = ['{ path: /slow, echo: {} }', '{ path: /busy, app: { module: busy.mjs } }'];

describe('porta run + porta reload with workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-run-reload-'));
  const file = join(dir, 'porta.yaml');
  const pidFile = join(dir, 'porta.pid');
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (port: number, version: number, routes: string[] = [], shutdown = '2s'): void => {
    writeFileSync(
      file,
      [
        'workers: 2',
        'log: { access: "off" }',
        `timeouts: { shutdown: ${shutdown} }`,
        'sites:',
        `  - listen: ["127.0.0.1:${port}"]`,
        '    routes:',
        ...routes.map((route) => `      - ${route}`),
        `      - path: /`,
        `        respond: { body: "v${version}" }`,
        '',
      ].join('\n'),
    );
  };

  it('rolls workers 10 times with zero failures, then stops', async () => {
    const port = await freePort();
    write(port, 0);
    const porta = await spawnPorta(['run', '-c', file, '--pid-file', pidFile], 60_000);
    try {
      // The primary writes its pid file once every worker serves.
      for (let i = 0; i < 600 && !existsSync(pidFile); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
      let failures = 0;
      let served = 0;
      const errors = new Map<string, number>();
      const bodies = new Set<string>();
      let loading = true;
      const worker = async (agent: Agent | false): Promise<void> => {
        for (let i = 0; loading && i < 50_000; i++) {
          try {
            const response = await httpGet(port, '/', agent);
            if (response.status !== 200) failures++;
            bodies.add(response.body);
            served++;
          } catch (error) {
            failures++;
            const key = `${agent === false ? 'new' : 'keep-alive'} ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
            errors.set(key, (errors.get(key) ?? 0) + 1);
          }
        }
      };
      const load = [worker(keepAlive), worker(keepAlive), worker(false), worker(false)];
      for (let version = 1; version <= 10; version++) {
        write(port, version);
        // A rolling reload under this load can take a while on a busy machine.
        const result = await runPorta(
          ['reload', '-c', file, '--pid-file', pidFile],
          process.env,
          60_000,
        );
        assert.equal(result.code, 0, result.stderr);
        const done = new RegExp(`Configuration reloaded`, 'g');
        const deadline = Date.now() + 20_000;
        while ((porta.stderr().match(done) ?? []).length < version && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal((porta.stderr().match(done) ?? []).length, version, porta.stderr());
      }
      // The load goes on until the last config has answered (not for a fixed 200 ms, in which a
      // busy machine may finish no request on a new connection).
      const served10 = Date.now() + 20_000;
      while (!bodies.has('v10') && Date.now() < served10) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      loading = false;
      await Promise.all(load);
      keepAlive.destroy();
      assert.equal(failures, 0, `${failures} failed of ${served}: ${JSON.stringify([...errors])}`);
      assert.ok(bodies.has('v10'), [...bodies].join(','));
      // `porta reload` sent its first SIGHUP as soon as the pid file existed: the start-up's
      // "ignored" handler was gone by then.
      assert.doesNotMatch(porta.stderr(), /while starting/);
      const stopped = await runPorta(['stop', '-c', file, '--pid-file', pidFile]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /stopped/);
    } finally {
      await porta.stop();
    }
  });

  it('reports done once retired workers stopped accepting; one finishes its request in flight', async () => {
    const port = await freePort();
    writeFileSync(
      join(dir, 'busy.mjs'),
      [
        'export default {',
        '  fetch() {',
        '    const end = Date.now() + 2000;',
        '    while (Date.now() < end);',
        "    return new Response('was busy');",
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    write(port, 1, BUSY_ROUTES, '30s');
    const porta = await spawnPorta(['run', '-c', file, '--pid-file', pidFile], 60_000);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    try {
      await waitFor(() => existsSync(pidFile), 30_000);
      const primary = porta.child.pid ?? 0;
      const before = childrenOf(primary);
      assert.equal(before.length, 2, `workers: ${before.join(' ')}`);
      assert.equal((await httpGet(port, '/', false)).body, 'v1');

      // A request in flight on one of the workers: half its body sent, echoed back so far.
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<void>((resolve) => socket.once('close', resolve));
      socket.write(
        'POST /slow HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 10\r\n\r\nfirst',
      );
      await waitFor(() => Buffer.concat(chunks).toString().endsWith('first'), 30_000);

      // Both workers busy (a blocked one accepts nothing, so the second request finds the other).
      const busy = [httpGet(port, '/busy', false)];
      await new Promise((resolve) => setTimeout(resolve, 150));
      busy.push(httpGet(port, '/busy', false));

      write(port, 2, BUSY_ROUTES, '30s');
      const reloaded = await runPorta(['reload', '-c', file, '--pid-file', pidFile]);
      assert.equal(reloaded.code, 0, reloaded.stderr);
      // Right away: the retired workers hold no listening socket (the draining one is alive).
      const listening = listeningInodes(port);
      assert.ok(listening.size > 0, 'the new workers listen');
      const draining = before.filter((pid) => socketInodes(pid).length > 0);
      assert.ok(draining.length > 0, 'a retired worker still drains its request');
      for (const pid of before) {
        const held = socketInodes(pid).filter((inode) => listening.has(inode));
        assert.deepEqual(held, [], `retired worker ${pid} still holds the listening socket`);
      }
      // Every new connection is answered by the new configuration.
      for (let i = 0; i < 20; i++) assert.equal((await httpGet(port, '/', false)).body, 'v2');

      for (const answer of await Promise.all(busy)) assert.equal(answer.body, 'was busy');
      // The request in flight finishes on the old worker.
      socket.end('+last');
      await closed;
      const text = Buffer.concat(chunks).toString();
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(text.endsWith('first+last'), text);
    } finally {
      socket.destroy();
      await porta.stop();
    }
  });
});
