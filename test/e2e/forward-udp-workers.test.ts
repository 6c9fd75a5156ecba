// End to end: a UDP session is one session whatever the worker count: 20 datagrams from one
// client reach the target from one source port, with 2 workers, with 1, and across a reload.
import assert from 'node:assert/strict';
import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

const sockets: UdpSocket[] = [];
const dir = mkdtempSync(join(tmpdir(), 'porta-udp-workers-'));
after(() => {
  for (const socket of sockets) socket.close();
  rmSync(dir, { recursive: true, force: true });
});

async function udp(): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

/** A UDP echo target that records the source port of every datagram it gets. */
async function echoTarget(): Promise<{ port: number; ports: number[] }> {
  const socket = await udp();
  const ports: number[] = [];
  socket.on('message', (message: Buffer, from) => {
    ports.push(from.port);
    socket.send(message, from.port, from.address);
  });
  return { port: socket.address().port, ports };
}

/** Sends `count` numbered datagrams, each resent until its echo comes back (loopback rarely drops). */
async function exchange(client: UdpSocket, port: number, from: number, count: number) {
  for (let n = from; n < from + count; n++) {
    const text = `datagram ${n}`;
    const deadline = Date.now() + 30_000;
    let answered = false;
    while (!answered) {
      assert.ok(Date.now() < deadline, `no echo for "${text}"`);
      client.send(text, port, '127.0.0.1');
      answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          client.off('message', onMessage);
          resolve(false);
        }, 1000);
        const onMessage = (reply: Buffer): void => {
          if (reply.toString() !== text) return;
          clearTimeout(timer);
          client.off('message', onMessage);
          resolve(true);
        };
        client.on('message', onMessage);
      });
    }
  }
}

/** A UDP port that was free a moment ago (a reload keeps a listener only at the same fixed address). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

function udpPort(porta: PortaProcess): number {
  const match = /listening on udp:\/\/127\.0\.0\.1:(\d+)/i.exec(porta.stderr());
  assert.ok(match !== null, porta.stderr());
  return Number(match[1]);
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `no ${what} after 30s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForLog(porta: PortaProcess, pattern: RegExp, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((porta.stderr().match(new RegExp(pattern, 'g')) ?? []).length < count) {
    assert.ok(Date.now() < deadline, `no ${String(pattern)} in:\n${porta.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('UDP forwarding with workers: one client, one session', () => {
  it('porta forward .../udp beside a TCP port, default workers (2): the target sees one source port', async () => {
    const target = await echoTarget();
    const porta = await spawnPorta([
      'forward',
      `127.0.0.1:0:127.0.0.1:${target.port}/udp`,
      `127.0.0.1:0:127.0.0.1:${target.port}`,
    ]);
    try {
      // Serving (and handling signals) once the primary reports the cluster's addresses.
      await waitForLog(porta, /Listening on udp:\/\/\S+ \(in the primary/, 1);
      assert.match(porta.stderr(), /2 workers/);
      const client = await udp();
      await exchange(client, udpPort(porta), 0, 20);
      assert.ok(target.ports.length >= 20);
      assert.deepEqual(new Set(target.ports).size, 1, `source ports: ${target.ports.join(', ')}`);
    } finally {
      assert.equal(await porta.stop('SIGTERM'), 0);
    }
  });

  it('porta forward .../udp alone runs one process (no workers to split a session)', async () => {
    const target = await echoTarget();
    const porta = await spawnPorta(['forward', `127.0.0.1:0:127.0.0.1:${target.port}/udp`]);
    try {
      assert.match(porta.stderr(), /\(node [^,]+, pid \d+, 1 process\)/);
      const client = await udp();
      await exchange(client, udpPort(porta), 0, 20);
      assert.deepEqual(new Set(target.ports).size, 1, `source ports: ${target.ports.join(', ')}`);
    } finally {
      assert.equal(await porta.stop('SIGTERM'), 0);
    }
  });

  for (const workers of [2, 1]) {
    it(`porta run with workers: ${workers}: one source port, also across a reload`, async () => {
      const target = await echoTarget();
      const file = join(dir, `udp-${workers}.yaml`);
      const listen = await freeUdpPort();
      const write = (level: string): void => {
        writeFileSync(
          file,
          [
            `workers: ${workers}`,
            `log: { level: ${level} }`,
            'streams:',
            `  - listen: ["127.0.0.1:${listen}"]`,
            `    forward: { to: ["127.0.0.1:${target.port}"], protocol: udp }`,
            'sites:',
            '  - listen: ["127.0.0.1:0"]',
            '    routes: [{ path: /, respond: { body: ok } }]',
            '',
          ].join('\n'),
        );
      };
      write('info');
      const pidFile = join(dir, `${workers}.pid`);
      const porta = await spawnPorta(['run', '-c', file, '--pid-file', pidFile]);
      try {
        // The pid file is written once serving, after the signal handlers are set.
        await waitFor(() => existsSync(pidFile), 'the pid file');
        const port = udpPort(porta);
        const client = await udp();
        await exchange(client, port, 0, 10);
        write('debug'); // a change that leaves the UDP listener as it is
        porta.child.kill('SIGHUP');
        await waitForLog(porta, /Configuration reloaded/, 1);
        await exchange(client, port, 10, 10);
        assert.ok(target.ports.length >= 20);
        assert.deepEqual(new Set(target.ports).size, 1, `source ports: ${target.ports.join(', ')}`);
      } finally {
        assert.equal(await porta.stop('SIGTERM'), 0);
      }
    });
  }
});
