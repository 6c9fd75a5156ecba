// End-to-end: binding real sockets, the friendly bind-failure messages, and surviving client resets.
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { isPortaError } from '../../src/errors.js';
import { localAddresses, parseListenAddress } from '../../src/net/listen-address.js';
import { closeServer, listen } from '../../src/net/listener.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
after(async () => {
  // closeServer waits for the last connection, and half-open ones never end by themselves.
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map(closeServer));
});

/** listen() that is always cleaned up after the suite. */
async function bind(text: string, onConnection: (socket: Socket) => void = noop): Promise<Server> {
  const server = await listen(
    parseListenAddress(text),
    (socket) => {
      sockets.push(socket);
      onConnection(socket);
    },
    { maxConnections: 100 },
  );
  servers.push(server);
  return server;
}

function noop(): void {
  // The test only needs the socket accepted.
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Asserts listen() rejects with PORTA_LISTEN_FAILED and a message matching `pattern`. */
async function assertListenFails(text: string, pattern: RegExp): Promise<void> {
  await assert.rejects(bind(text), (error: unknown) => {
    assert.ok(isPortaError(error), 'expected a PortaError');
    assert.equal(error.code, 'PORTA_LISTEN_FAILED');
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace in the message');
    return true;
  });
}

/** Connects, writes a byte, and resolves once the server has accepted and the byte went out. */
function ping(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host }, () => {
      socket.end('x', () => {
        resolve();
      });
    });
    socket.on('error', reject);
  });
}

describe('listen', () => {
  it('port 0 binds a real port the kernel picked', async () => {
    const server = await bind('127.0.0.1:0');
    const port = portOf(server);
    assert.ok(port > 0 && port <= 65535);
    await ping(port);
    assert.ok(server.listening);
  });

  it('EADDRINUSE names the address that is taken', async () => {
    // Taken by a plain node:net server, as another program would.
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const port = portOf(other);
      await assertListenFails(
        `127.0.0.1:${port}`,
        new RegExp(`^127\\.0\\.0\\.1:${port} is already in use by another program.*--port`),
      );
    } finally {
      await closeServer(other);
    }
  });

  it('EADDRNOTAVAIL for an address this machine does not have (192.0.2.1, TEST-NET-1)', async (t) => {
    if (localAddresses().some((a) => a.address === '192.0.2.1')) {
      t.skip('this machine has 192.0.2.1');
      return;
    }
    await assertListenFails(
      '192.0.2.1:0',
      /^192\.0\.2\.1 is not an address of this machine; use 0\.0\.0\.0 for all, or 127\.0\.0\.1$/,
    );
  });

  it('a host name that does not resolve (RFC 6761 .invalid)', async () => {
    await assertListenFails('no-such-host.invalid:0', /no-such-host\.invalid/);
  });

  it('IPv6 loopback [::1] works when the machine has it', async (t) => {
    if (!localAddresses().some((a) => a.address === '::1')) {
      t.skip('no ::1 on this machine (IPv6 disabled)');
      return;
    }
    const server = await bind('[::1]:0');
    assert.equal((server.address() as AddressInfo).address, '::1');
    await ping(portOf(server), '::1');
  });

  it('sets the connection cap and takes a backlog', async () => {
    const server = await listen(parseListenAddress('127.0.0.1:0'), noop, {
      maxConnections: 7,
      backlog: 16,
    });
    servers.push(server);
    assert.equal(server.maxConnections, 7);
  });

  it('clients that connect then reset do not crash the server', async () => {
    let closedWithError = 0;
    let accepted = 0;
    const server = await bind('127.0.0.1:0', (socket) => {
      accepted++;
      // No 'error' listener here on purpose: the listener must have attached one already.
      socket.on('close', (hadError) => {
        if (hadError) closedWithError++;
      });
      socket.resume();
      socket.write('hello');
    });
    const port = portOf(server);
    // Reset at once: the RST may land before the server has even accepted.
    for (let i = 0; i < 10; i++) {
      await resetClient(port, 'on connect');
    }
    // Reset once the server has spoken: its read sees ECONNRESET, an 'error' event.
    for (let i = 0; i < 10; i++) {
      await resetClient(port, 'after data');
    }
    // Still accepting: a normal client gets through after the resets.
    await ping(port);
    await waitFor(() => accepted === 21 && closedWithError >= 10);
    assert.equal(accepted, 21);
    assert.ok(closedWithError >= 10, `only ${closedWithError} server sockets saw the resets`);
  });

  it('an exception thrown by onConnection closes that socket, not the process', async () => {
    const warnings: unknown[] = [];
    const server = await listen(
      parseListenAddress('127.0.0.1:0'),
      () => {
        throw new Error('handler bug');
      },
      { maxConnections: 10, onError: (error) => warnings.push(error) },
    );
    servers.push(server);
    const closed = await new Promise<boolean>((resolve) => {
      const client = connect({ port: portOf(server), host: '127.0.0.1' });
      client.on('error', noop);
      client.on('close', () => {
        resolve(true);
      });
      client.resume();
    });
    assert.ok(closed);
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]), /handler bug/);
  });
});

/** Connects and sends a TCP RST (SO_LINGER 0 close) instead of a FIN. */
function resetClient(port: number, when: 'on connect' | 'after data'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const client = connect({ port, host: '127.0.0.1' });
    client.on('error', reject);
    client.once(when === 'on connect' ? 'connect' : 'data', () => {
      client.resetAndDestroy();
      resolve();
    });
  });
}

/** Polls a condition (events arrive on the server side after the client side returns). */
async function waitFor(condition: () => boolean, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition() && Date.now() - start < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
