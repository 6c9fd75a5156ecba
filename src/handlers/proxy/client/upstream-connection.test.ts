// The upstream connection's deadlines (connect -> 504, header -> 504), reuse through its pool, and failure details.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { ConnectionPool } from './connection-pool.js';
import type { ResponseHead } from './response-parser.js';
import type { ConnectionUser, UpstreamConnection } from './upstream-connection.js';
import type { UpstreamFailure } from './upstream-failure.js';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function server(onData: (socket: import('node:net').Socket) => void): Promise<number> {
  const srv = createServer((socket) => {
    socket.on('error', () => undefined);
    onData(socket);
  });
  servers.push(srv);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return (srv.address() as AddressInfo).port;
}

/** A user that records what happened and resolves when the exchange ends either way. */
function recorder(): ConnectionUser & {
  done: Promise<void>;
  head: ResponseHead | null;
  body: string;
  failure: UpstreamFailure | null;
} {
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const user = {
    done,
    head: null as ResponseHead | null,
    body: '',
    failure: null as UpstreamFailure | null,
    onUpstreamHead: (head: ResponseHead) => {
      user.head = head;
    },
    onUpstreamBody: (chunk: Buffer) => {
      user.body += chunk.toString();
    },
    onUpstreamEnd: () => {
      finish();
    },
    onUpstreamDrain: () => undefined,
    onUpstreamFailure: (failure: UpstreamFailure) => {
      user.failure = failure;
      finish();
    },
    onUpstreamSwitch: () => undefined,
  };
  return user;
}

const registry = {
  add: (_c: UpstreamConnection) => undefined,
  delete: (_c: UpstreamConnection) => undefined,
};
const settings = {
  connectTimeoutMs: 1000,
  headerTimeoutMs: 1000,
  idleTimeoutMs: 1000,
  keepAliveMs: 4000,
  maxIdle: 4,
  maxHeaderSize: 8192,
  tls: null,
};

describe('UpstreamConnection', () => {
  it('a connect that has not finished by its deadline fails as connect-timeout (504, nothing sent)', async () => {
    const port = await server(() => undefined);
    const pool = new ConnectionPool('127.0.0.1', port, settings, registry);
    const connection = pool.open();
    const user = recorder();
    connection.begin(user, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET', false);
    connection.checkDeadline(Date.now() + 60_000); // as if the sweeper ran after the deadline
    await user.done;
    assert.equal(user.failure?.kind, 'connect-timeout');
    assert.equal(user.failure.status, 504);
    assert.equal(user.failure.nothingSent, true);
  });

  it('no response head by the header deadline fails as header-timeout (504)', async () => {
    const port = await server(() => undefined);
    const pool = new ConnectionPool('127.0.0.1', port, settings, registry);
    const connection = pool.open();
    await once(connection.socket, 'connect');
    const user = recorder();
    connection.begin(user, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET', false);
    connection.checkDeadline(Date.now() + 60_000);
    await user.done;
    assert.equal(user.failure?.kind, 'header-timeout');
    assert.equal(user.failure.status, 504);
    assert.equal(user.failure.nothingSent, false);
  });

  it('goes back to its pool after a complete response and is reused; a closed one is reported as reused', async () => {
    let requests = 0;
    const port = await server((socket) => {
      socket.on('data', () => {
        requests++;
        if (requests === 3) socket.destroy();
        else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    const pool = new ConnectionPool('127.0.0.1', port, settings, registry);
    const first = pool.open();
    const a = recorder();
    first.begin(a, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET', false);
    await a.done;
    assert.equal(a.body, 'ok');
    assert.equal(pool.idleCount, 1);
    const again = pool.take();
    assert.equal(again, first);
    const b = recorder();
    again.begin(b, 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET', false);
    await b.done;
    assert.equal(b.head?.status, 200);
    const third = pool.take();
    assert.equal(third, first);
    const c = recorder();
    third.begin(c, 'GET /3 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET', false);
    await c.done;
    assert.equal(c.failure?.kind, 'closed');
    assert.equal(c.failure.reused, true);
    assert.equal(c.failure.responseStarted, false);
    assert.equal(pool.idleCount, 0);
  });
});
