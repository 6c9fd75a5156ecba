// End to end: UDP forwarding: a datagram echo through porta, one session per client, sessions ending when idle.
import assert from 'node:assert/strict';
import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { closeAll, sleep, startPorta } from './proxy-harness.js';

const sockets: UdpSocket[] = [];
after(async () => {
  for (const socket of sockets) socket.close();
  await closeAll();
});

async function udp(port = 0): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.bind(port, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

/** A UDP echo target that prefixes its name and counts the client ports it saw. */
async function echoTarget(name: string): Promise<{ port: number; peers: Set<number> }> {
  const socket = await udp();
  const peers = new Set<number>();
  socket.on('message', (message: Buffer, from) => {
    peers.add(from.port);
    socket.send(Buffer.concat([Buffer.from(`${name}:`), message]), from.port, from.address);
  });
  return { port: socket.address().port, peers };
}

async function ask(client: UdpSocket, port: number, text: string): Promise<string> {
  client.send(text, port, '127.0.0.1');
  const [reply] = (await once(client, 'message')) as [Buffer];
  return reply.toString();
}

describe('porta forward: UDP', () => {
  it('echoes datagrams through porta, each client in its own session, and logs sessions', async () => {
    const target = await echoTarget('t');
    const { url, logger } = await startPorta({
      streams: [
        {
          listen: ['127.0.0.1:0'],
          forward: { to: [`127.0.0.1:${target.port}`], protocol: 'udp', session_timeout: '2s' },
        },
      ],
    });
    assert.match(url, /^udp:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(url).port);
    const a = await udp();
    const b = await udp();
    assert.equal(await ask(a, port, 'one'), 't:one');
    assert.equal(await ask(a, port, 'two'), 't:two');
    assert.equal(await ask(b, port, 'three'), 't:three');
    // Two clients, two sessions: the target saw two different source ports.
    assert.equal(target.peers.size, 2);
    // Each session ends 2 s after its last datagram (found by a sweep once a second): the line
    // comes then. 2 s, not less: a pause of a busy machine between two asks must not end one.
    const ended =
      /UDP forward 127\.0\.0\.1:\d+ -> .*: 2 datagrams \(6 bytes\) up, 2 datagrams \(10 bytes\) down.*\(idle timeout\)/;
    const deadline = Date.now() + 30_000;
    while (!logger.lines.some((line) => ended.test(line)) && Date.now() < deadline) await sleep(50);
    assert.ok(
      logger.lines.some((line) => ended.test(line)),
      logger.lines.join('\n'),
    );
    // After the session ended a new one starts: still answered.
    assert.equal(await ask(a, port, 'again'), 't:again');
  });

  it('balances sessions over several targets', async () => {
    const x = await echoTarget('x');
    const y = await echoTarget('y');
    const { url } = await startPorta({
      streams: [
        {
          listen: ['127.0.0.1:0'],
          forward: { to: [`127.0.0.1:${x.port}`, `127.0.0.1:${y.port}`], protocol: 'udp' },
        },
      ],
    });
    const port = Number(new URL(url).port);
    const names = new Set<string>();
    for (let i = 0; i < 4; i++)
      names.add((await ask(await udp(), port, 'hi')).split(':')[0] as string);
    assert.deepEqual([...names].sort(), ['x', 'y']);
  });
});
