// The engine over real sockets: handlers that answer before the request body is read, and bodies cut short by the client.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { RawClient } from '../../test/support/raw-client.js';
import { Http1Server } from './http1-server.js';
import { ConnectionBudget } from '../http/connection-budget.js';
import { ConnectionSet } from '../http/connection-set.js';
import type { ServerExchange } from './server-exchange.js';

type Handle = (exchange: ServerExchange) => void;

const servers: Server[] = [];
after(async () => {
  for (const server of servers.splice(0)) {
    server.close();
    await once(server, 'close');
  }
});

/** The engine alone, on 127.0.0.1:0, with `handle` as its only handler. */
async function engine(handle: Handle): Promise<number> {
  const http = new Http1Server(
    {
      limits: { maxRequestLine: 8192, maxHeaderSize: 32768, maxHeaders: 100, maxBodySize: 0 },
      timeouts: {
        headerMs: 10_000,
        bodyMs: 10_000,
        idleMs: 10_000,
        sendMs: 10_000,
        minBodyBytes: 0,
        bodyRateWindowMs: 0,
      },
      dispatch: handle,
      onExchangeDone: () => undefined,
      debug: null,
      logsAccess: false,
    },
    new ConnectionSet(new ConnectionBudget(100, () => undefined)),
  );
  // As net/listener.ts does: an 'error' listener first, half-open allowed.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    http.accept(socket);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function post(path: string, length: number): string {
  return `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${length}\r\n\r\n`;
}

/** Listens for body errors the way a proxy does, answers, and lets go of the body at once. */
const answerThenLetGo: Handle = (exchange) => {
  if (!exchange.hasBody) {
    exchange.send(200, [], 'next');
    return;
  }
  const body: Readable = exchange.body();
  const onError = (): void => undefined;
  body.on('error', onError);
  exchange.send(405, [], 'no');
  body.off('error', onError);
};

describe('answering before the request body is read', () => {
  it('does not throw the body error at the process when the reader let go (issue 8)', async () => {
    const port = await engine(answerThenLetGo);
    const client = await RawClient.open(port);
    client.write(`${post('/', 1000)}${'a'.repeat(100)}`);
    await client.waitFor('\r\n\r\nno');
    // An unhandled 'error' would have ended this test process by now; prove the tick passed.
    await new Promise((resolve) => setImmediate(resolve));
    // The rest of the body is read and dropped; the connection serves the next request.
    client.write('a'.repeat(900));
    client.write('GET /again HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.waitFor('next');
    client.destroy();
  });

  it('closes instead of draining more than 1 MiB (declared, or counted for chunked)', async () => {
    const port = await engine(answerThenLetGo);
    const large = await RawClient.open(port);
    large.write(`${post('/', 8 * 1024 * 1024)}${'a'.repeat(100)}`);
    await large.waitFor('\r\n\r\nno');
    await large.waitEnded();
    large.destroy();
    const chunked = await RawClient.open(port);
    chunked.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n400000\r\nabc');
    await chunked.waitFor('\r\n\r\nno');
    chunked.write(Buffer.alloc(1024 * 1024, 0x61)); // past the 1 MiB budget: closed
    await chunked.waitEnded();
    chunked.destroy();
  });

  it('drains a small chunked body and serves the next request', async () => {
    const port = await engine(answerThenLetGo);
    const client = await RawClient.open(port);
    client.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc');
    await client.waitFor('\r\n\r\nno');
    client.write('defghijklmnop\r\n0\r\n\r\nGET /again HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.waitFor('next');
    client.destroy();
  });

  it('a reader still on the body hears that the rest was dropped', async () => {
    let heard: Error | null = null;
    const port = await engine((exchange) => {
      const body = exchange.body();
      body.on('error', (error: Error) => {
        heard = error;
      });
      exchange.send(413, [], 'no');
    });
    const client = await RawClient.open(port);
    client.write(`${post('/', 1000)}${'a'.repeat(10)}`);
    await client.waitFor('\r\n\r\nno');
    await client.until(() => heard !== null, 'the body error');
    assert.match(String(heard), /before the request body was read/);
    client.destroy();
  });
});

describe('a client that half-closes in the middle of its body', () => {
  it('fails the body at once instead of at the body timeout', async () => {
    let failed = 0;
    let started = 0;
    const port = await engine((exchange) => {
      started = Date.now();
      exchange.body().on('error', () => {
        failed = Date.now();
        exchange.abort();
      });
    });
    const client = await RawClient.open(port);
    client.write(`${post('/', 1000)}${'a'.repeat(100)}`);
    await client.until(() => started !== 0, 'the handler');
    client.end();
    await client.waitEnded();
    assert.ok(failed !== 0 && failed - started < 5000, 'the body failed before its 10 s timeout');
    client.destroy();
  });

  it('still answers a request whose body was complete before the FIN (half-close is allowed)', async () => {
    const port = await engine((exchange) => {
      const chunks: Buffer[] = [];
      const body = exchange.body();
      body.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.on('end', () => {
        exchange.send(200, [], `got ${Buffer.concat(chunks).length}`);
      });
    });
    const client = await RawClient.open(port);
    client.write(`${post('/', 5)}hello`);
    client.end();
    await client.waitEnded();
    assert.match(client.text, /got 5$/);
    await once(client.socket, 'close');
  });
});
