// End to end: the connection cap (slowloris, idle keep-alive reclaimed, warnings) and running out of file descriptors, with 1 and 2 workers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

const dir = mkdtempSync(join(tmpdir(), 'porta-conn-limits-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts `porta run` on a config with one respond route and the given extra YAML. */
async function startPorta(
  name: string,
  workers: number,
  extra: string,
  openFiles = 4096,
): Promise<PortaProcess> {
  const file = join(dir, `${name}-${workers}.yaml`);
  writeFileSync(
    file,
    `sites:
  - listen: ["127.0.0.1:0"]
    routes:
      - respond: { body: "hello\\n" }
workers: ${workers}
log: { access: off }
${extra}`,
  );
  const porta = await spawnPorta(['run', '-c', file], 15_000, { openFiles });
  // A worker's "Listening on" comes first; the primary takes signals once all are serving.
  if (workers > 1) {
    await waitFor(() => /\(2 workers\)/.test(porta.stderr()), 15_000, 'all workers');
  }
  return porta;
}

interface Held {
  readonly socket: Socket;
  connected: boolean;
  /** The server closed it (or reset it). */
  closed: boolean;
  /** Bytes the server sent. */
  received: string;
}

/** Opens a connection that the test holds; `first` is written once connected. */
function hold(port: number, first: string): Held {
  const socket = connect(port, '127.0.0.1');
  const held: Held = { socket, connected: false, closed: false, received: '' };
  socket.on('connect', () => {
    held.connected = true;
    socket.write(first);
  });
  socket.on('data', (chunk: Buffer) => (held.received += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a refused or reclaimed socket resets: that is the point
  socket.on('close', () => (held.closed = true));
  return held;
}

/** One complete request on a new connection: the status, or 0 when the server closed it. */
function getOnce(port: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('connect', () => {
      socket.write('GET / HTTP/1.1\r\nHost: good\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0));
    });
  });
}

function portOf(porta: PortaProcess): number {
  return Number(new URL(porta.url).port);
}

for (const workers of [1, 2]) {
  describe(`connection cap (${workers} worker${workers > 1 ? 's' : ''})`, () => {
    it('serves new clients while 260 slowloris connections press on a cap of 200', async () => {
      const porta = await startPorta('slowloris', workers, 'limits: { max_connections: 200 }');
      const slow: Held[] = [];
      let trickle: NodeJS.Timeout | undefined;
      try {
        const port = portOf(porta);
        for (let i = 0; i < 260; i++) {
          slow.push(hold(port, 'GET / HTTP/1.1\r\nHost: slow\r\n'));
        }
        // Slowloris: one more header line every half second, the head never ends.
        trickle = setInterval(() => {
          for (const s of slow) if (!s.closed) s.socket.write('X-a: b\r\n');
        }, 500);
        await waitFor(() => slow.every((s) => s.connected || s.closed), 15_000, 'connects');
        await waitFor(
          () => /Connection cap reached/.test(porta.stderr()),
          15_000,
          'the cap warning',
        );
        // The cap only takes the place of a head that has been arriving over 1 s.
        await delay(1500);
        const statuses = await Promise.all(Array.from({ length: 20 }, () => getOnce(port)));
        assert.deepEqual(
          statuses,
          Array.from({ length: 20 }, () => 200),
          porta.stderr(),
        );
        const open = slow.filter((s) => !s.closed).length;
        assert.ok(open <= 200, `${open} slowloris connections still open over a cap of 200`);
        assert.match(
          porta.stderr(),
          /WARNING Connection cap reached \(limits\.max_connections 200(, 100 in each of 2 workers)?\): refused \d+ new connection\(s\)/,
        );
        assert.ok(
          slow.every((s) => s.received === ''),
          'a slowloris head got an answer',
        );
      } finally {
        clearInterval(trickle);
        for (const s of slow) s.socket.destroy();
        assert.equal(await porta.stop('SIGTERM'), 0);
      }
    });

    it('closes idle keep-alive connections first to make room, and says so', async () => {
      const porta = await startPorta('idle', workers, 'limits: { max_connections: 40 }');
      const idle: Held[] = [];
      try {
        const port = portOf(porta);
        for (let i = 0; i < 40; i++) idle.push(hold(port, 'GET / HTTP/1.1\r\nHost: idle\r\n\r\n'));
        // Each answered and kept open (or, with 2 workers, maybe refused on a full one).
        await waitFor(
          () => idle.every((s) => s.closed || s.received.endsWith('hello\n')),
          15_000,
          'the first answers',
        );
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) statuses.push(await getOnce(port));
        assert.deepEqual(
          statuses,
          Array.from({ length: 10 }, () => 200),
          porta.stderr(),
        );
        await waitFor(
          () => /closed \d+ idle keep-alive/.test(porta.stderr()),
          15_000,
          'the reclaim warning',
        );
        // Only idle ones were taken: every held connection got its whole answer first, or (with
        // 2 workers, when the kernel gave one worker more than its share) was refused at once.
        assert.ok(
          idle.every((s) => s.received.endsWith('hello\n') || (s.closed && s.received === '')),
          idle.map((s) => JSON.stringify(s.received.slice(0, 40))).join(' '),
        );
        assert.ok(idle.some((s) => s.closed));
      } finally {
        for (const s of idle) s.socket.destroy();
        assert.equal(await porta.stop('SIGTERM'), 0);
      }
    });

    it('under ulimit -n 256 warns at start, logs running out of descriptors, survives', async () => {
      const porta = await startPorta('emfile', workers, '', 256);
      const flood: Held[] = [];
      try {
        assert.match(
          porta.stderr(),
          /WARNING The open-file limit \(ulimit -n\) is 256, below limits\.max_connections \(10000(, 5000 per worker)?\)/,
        );
        const port = portOf(porta);
        for (let i = 0; i < 1000; i++) flood.push(hold(port, ''));
        await waitFor(
          () => /WARNING Out of file descriptors \(\d+ of 256 open/.test(porta.stderr()),
          20_000,
          'the out-of-descriptors warning',
        );
        for (const s of flood) s.socket.destroy();
        await waitFor(() => flood.every((s) => s.closed), 10_000, 'the flood to close');
        // Still alive and serving once descriptors are free again.
        let status = 0;
        const deadline = Date.now() + 15_000;
        while (status !== 200 && Date.now() < deadline) status = await getOnce(port);
        assert.equal(status, 200, porta.stderr());
      } finally {
        for (const s of flood) s.socket.destroy();
        assert.equal(await porta.stop('SIGTERM'), 0);
      }
    });
  });
}
