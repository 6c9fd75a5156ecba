// A raw TCP client for tests: send exact bytes, collect everything until the server closes or a timeout.
import { connect } from 'node:net';

export interface RawResult {
  readonly text: string;
  /** The server closed the connection (rather than our timeout ending the wait). */
  readonly closed: boolean;
}

export function rawRequest(
  port: number,
  data: string | Buffer | readonly (string | Buffer)[],
  options: { waitMs?: number; host?: string } = {},
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, options.host ?? '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
    }, options.waitMs ?? 20_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      closed = true;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    });
    const parts: readonly (string | Buffer)[] =
      typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data;
    for (const part of parts) socket.write(part);
  });
}

/** Status codes of every response in a raw byte stream, in order. */
export function statusCodes(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}
