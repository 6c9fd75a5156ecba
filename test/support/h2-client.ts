// node:http2 as a test client (one request per stream, a session that waits for SETTINGS) and a slow upstream.
import { type ClientHttp2Session, connect as connectH2 } from 'node:http2';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request on a node:http2 session: status, headers and body. */
export async function request(
  session: ClientHttp2Session,
  path: string,
  options: { method?: string; body?: Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const stream = session.request({
    ':method': options.method ?? 'GET',
    ':path': path,
    ...options.headers,
  });
  const chunks: Buffer[] = [];
  const response = new Promise<{ status: number; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      stream.once('response', (headers) => {
        resolve({ status: Number(headers[':status']), headers });
      });
      stream.once('error', reject);
    },
  );
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  stream.end(options.body);
  const head = await response;
  await ended;
  return { ...head, body: Buffer.concat(chunks) };
}

export function openSession(base: string): Promise<ClientHttp2Session> {
  const session = connectH2(base);
  session.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    session.once('remoteSettings', () => {
      resolve(session);
    });
    session.once('error', reject);
  });
}

/** An upstream that answers after `delay` ms: the slow stream of the graceful-stop tests. */
export function slowUpstream(delayMs: number): Server {
  return createServer((req, res) => {
    req.resume();
    const timer = setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('slow but sure\n');
    }, delayMs);
    res.on('close', () => {
      clearTimeout(timer);
    });
  });
}

export async function listenOn(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
