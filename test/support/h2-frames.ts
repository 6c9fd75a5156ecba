// Raw HTTP/2 frames (RFC 9113 §4) for tests that must send what no polite client would.
import { type Socket, connect } from 'node:net';

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PING: 0x6,
  GOAWAY: 0x7,
  CONTINUATION: 0x9,
} as const;

export const Flags = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;

/** RFC 9113 §7 error codes the tests look for. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  SETTINGS_TIMEOUT: 0x4,
  CANCEL: 0x8,
  ENHANCE_YOUR_CALM: 0xb,
};

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/**
 * A GET / header block in HPACK (RFC 7541): static-table entries for :method GET (2), :path /
 * (4), :scheme http (6), then :authority as a literal without indexing (name index 1).
 */
export function getHeaderBlock(authority = 'localhost'): Buffer {
  const value = Buffer.from(authority, 'latin1');
  return Buffer.concat([Buffer.from([0x82, 0x84, 0x86, 0x01, value.length]), value]);
}

/** A literal header field without indexing, new name (RFC 7541 §6.2.2), lengths < 127. */
export function literalField(name: string, value: string): Buffer {
  const n = Buffer.from(name, 'latin1');
  const v = Buffer.from(value, 'latin1');
  return Buffer.concat([Buffer.from([0x00, n.length]), n, Buffer.from([v.length]), v]);
}

export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(FrameType.RST_STREAM, 0, streamId, payload);
}

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** A raw client connection that records every frame the server sends, and when it closed. */
export class RawH2Client {
  readonly socket: Socket;
  readonly frames: Frame[] = [];
  closed = false;
  #buffer = Buffer.alloc(0);
  readonly #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 9) {
        const length = this.#buffer.readUIntBE(0, 3);
        if (this.#buffer.length < 9 + length) break;
        this.frames.push({
          type: this.#buffer[3] ?? 0,
          flags: this.#buffer[4] ?? 0,
          streamId: this.#buffer.readUInt32BE(5) & 0x7fffffff,
          payload: this.#buffer.subarray(9, 9 + length),
        });
        this.#buffer = this.#buffer.subarray(9 + length);
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static async open(port: number): Promise<RawH2Client> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawH2Client(socket);
  }

  /** Sends the preface and an empty SETTINGS, and acknowledges the server's SETTINGS. */
  handshake(): void {
    this.socket.write(Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(0))]));
    this.socket.write(frame(FrameType.SETTINGS, Flags.ACK, 0, Buffer.alloc(0)));
  }

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The first GOAWAY's error code, or null when none came (yet). */
  get goawayCode(): number | null {
    const goaway = this.frames.find((f) => f.type === FrameType.GOAWAY);
    return goaway === undefined ? null : goaway.payload.readUInt32BE(4);
  }

  /** Waits until `done()` holds (checked on every frame and at close), or fails after `ms`. */
  async until(done: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  close(): void {
    this.socket.destroy();
  }
}
