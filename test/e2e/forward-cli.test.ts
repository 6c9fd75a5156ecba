// End to end: `porta forward` as a process, in docker's -p spelling; usage errors exit 2 with a message.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { type PortaProcess, runPorta, spawnPorta } from '../support/porta-process.js';

const running: PortaProcess[] = [];
const target = createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('error', () => undefined);
  socket.pipe(socket);
});
after(async () => {
  for (const porta of running) await porta.stop();
  target.close();
});

describe('porta forward (CLI process)', () => {
  it('forwards BIND:LISTEN:HOST:PORT and logs each connection', async () => {
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const targetPort = (target.address() as AddressInfo).port;
    const porta = await spawnPorta(['forward', `127.0.0.1:0:127.0.0.1:${targetPort}`]);
    running.push(porta);
    const port = Number(new URL(porta.url).port);
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.end('through a process');
    await once(socket, 'close');
    assert.equal(Buffer.concat(chunks).toString(), 'through a process');
    const deadline = Date.now() + 30_000;
    while (!porta.stderr().includes('bytes up') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.match(
      porta.stderr(),
      new RegExp(
        `-> 127\\.0\\.0\\.1:${targetPort} via 127\\.0\\.0\\.1:${port}: 17 bytes up, 17 bytes down`,
      ),
    );
  });

  it('a bad mapping exits 2 and says what is wrong', async () => {
    const result = await runPorta(['forward', '8080:99999']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /"99999" is not a port/);
  });

  it('--print-config expands ranges and merges targets of one port', async () => {
    const result = await runPorta([
      'forward',
      '9000-9001:7000-7001',
      '9000:127.0.0.2:7000',
      '53:10.0.0.2:53/udp',
      '--print-config',
    ]);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /- :9000\n\s+forward:\n\s+to:\n\s+- 127\.0\.0\.1:7000\n\s+- 127\.0\.0\.2:7000/,
    );
    assert.match(result.stdout, /- :9001\n\s+forward:\n\s+to:\n\s+- 127\.0\.0\.1:7001/);
    assert.match(result.stdout, /protocol: udp/);
  });
});
