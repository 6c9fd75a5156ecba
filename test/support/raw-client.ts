// A raw TCP client that a test drives step by step: write, wait for bytes, half-close or reset at a chosen moment.
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';

export class RawClient {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #ended = false;
  #closed = false;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('error', () => undefined); // resets are part of these tests
    socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#wake();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  /** Everything received so far, as latin1 text. */
  get text(): string {
    return this.#received.toString('latin1');
  }

  get received(): number {
    return this.#received.length;
  }

  /** The server ended its side or the socket closed. */
  get ended(): boolean {
    return this.#ended || this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Waits until `check()` holds (re-checked on every event), or throws after `timeoutMs`. */
  async until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; got ${this.text.slice(0, 300)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 200));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      });
    }
  }

  /** Waits for `text` to appear in what was received. */
  async waitFor(text: string, timeoutMs = 30_000): Promise<void> {
    await this.until(() => this.text.includes(text), JSON.stringify(text), timeoutMs);
  }

  /** Waits until the server has closed its side (FIN or reset). */
  async waitEnded(timeoutMs = 30_000): Promise<void> {
    await this.until(() => this.ended, 'the server to close', timeoutMs);
  }

  /** Half-close: our FIN, the read side stays open. */
  end(): void {
    this.socket.end();
  }

  /** A reset (RST), as a client killed mid-transfer often does. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }
}
