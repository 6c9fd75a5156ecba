// End to end: idle connections give their parser back and take one on their next byte; nothing of one request leaks into another.
import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

/** A kept-open connection: write, then wait until the text read so far ends a response. */
class Client {
  readonly #socket: Socket;
  #text = '';

  constructor(port: number) {
    this.#socket = connect(port, '127.0.0.1');
    this.#socket.on('data', (chunk: Buffer) => (this.#text += chunk.toString('latin1')));
    this.#socket.on('error', () => undefined);
  }

  write(data: string): void {
    this.#socket.write(data);
  }

  /** Waits until the responses read so far hold `count` echoed bodies ending with `marker`. */
  async read(marker: string, count = 1): Promise<string> {
    const deadline = Date.now() + 30_000;
    while (this.#text.split(marker).length - 1 < count) {
      if (Date.now() > deadline) throw new Error(`no "${marker}" in:\n${this.#text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const text = this.#text;
    this.#text = '';
    return text;
  }

  close(): void {
    this.#socket.destroy();
  }
}

describe('parsers shared between idle connections', () => {
  let porta: PortaProcess;
  let port = 0;

  before(async () => {
    porta = await spawnPorta(['echo', '--port', '0', '--host', '127.0.0.1', '--access-log', 'off']);
    port = Number(new URL(porta.url).port);
  });

  after(async () => {
    await porta.stop();
  });

  it('keeps a half-read head while other connections come and go, then answers it whole', async () => {
    const slow = new Client(port);
    slow.write('GET /slow-path HTTP/1.1\r\nHost: slow-host\r\nX-Part: ');
    const others: Client[] = [];
    try {
      // Many requests on other connections, some kept idle, in between the two halves.
      for (let i = 0; i < 30; i++) {
        const client = new Client(port);
        others.push(client);
        client.write(`GET /other-${i} HTTP/1.1\r\nHost: other-${i}\r\nX-Other: ${i}\r\n\r\n`);
        const text = await client.read(`X-Other: ${i}\r\n\r\n`);
        assert.match(text, new RegExp(`^HTTP/1\\.1 200 [^]*GET /other-${i} HTTP/1\\.1\\r\\n`));
      }
      slow.write('one\r\n\r\n');
      const text = await slow.read('X-Part: one\r\n\r\n');
      assert.match(text, /GET \/slow-path HTTP\/1\.1\r\nHost: slow-host\r\nX-Part: one\r\n\r\n$/);
      assert.doesNotMatch(text, /other/);
    } finally {
      slow.close();
      for (const client of others) client.close();
    }
  });

  it('serves the next request of every idle connection with that request only', async () => {
    const clients = Array.from({ length: 20 }, () => new Client(port));
    try {
      for (let round = 0; round < 3; round++) {
        for (const [i, client] of clients.entries()) {
          // Leading empty lines (allowed, counted) and pipelined pairs, in turns.
          const lead = round === 1 ? '\r\n\r\n' : '';
          client.write(
            `${lead}GET /c${i}/r${round}/a HTTP/1.1\r\nHost: c${i}\r\nX-End: a${round}\r\n\r\n` +
              `GET /c${i}/r${round}/b HTTP/1.1\r\nHost: c${i}\r\nX-End: b${round}\r\n\r\n`,
          );
        }
        for (const [i, client] of clients.entries()) {
          const text = await client.read(`X-End: b${round}\r\n\r\n`);
          assert.match(
            text,
            new RegExp(`GET /c${i}/r${round}/a HTTP/1\\.1\\r\\nHost: c${i}\\r\\n`),
          );
          assert.match(
            text,
            new RegExp(`GET /c${i}/r${round}/b HTTP/1\\.1\\r\\nHost: c${i}\\r\\n`),
          );
          assert.equal(text.match(/^HTTP\/1\.1 200 /gm)?.length, 2, text);
        }
      }
    } finally {
      for (const client of clients) client.close();
    }
  });
});
