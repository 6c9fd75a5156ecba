// Shared pieces of the proxy and forward end-to-end tests: real node:http backends, porta in-process, a recording logger.
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningServer, start } from '../../src/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { Logger, LogLevel } from '../../src/log/logger.js';

export interface Backend {
  readonly name: string;
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Requests served so far. */
  hits: number;
  close(): Promise<void>;
}

type Respond = (req: IncomingMessage, res: ServerResponse, backend: Backend) => void;

/** Answers with its name, the path it saw and the headers it got, as JSON. */
export const describeRequest: Respond = (req, res, backend) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.stringify({
      backend: backend.name,
      url: req.url,
      method: req.method,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks).toString(),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': backend.name });
    res.end(body);
  });
};

const open: Backend[] = [];

/** A node:http backend on 127.0.0.1:0, closed by closeAll() whatever happens. */
export async function startBackend(
  name: string,
  respond: Respond = describeRequest,
): Promise<Backend> {
  const server = createServer();
  const backend: Backend = {
    name,
    server,
    port: 0,
    url: '',
    hits: 0,
    close: async () => {
      server.closeAllConnections();
      if (server.listening) {
        server.close();
        await once(server, 'close');
      }
    },
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    backend.hits++;
    respond(req, res, backend);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  Object.assign(backend, { port, url: `http://127.0.0.1:${port}` });
  open.push(backend);
  return backend;
}

/** A logger that keeps its lines, for asserting on what porta logged. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return {
    lines,
    debugEnabled: true,
    debug: write('DEBUG'),
    info: write('INFO'),
    warning: write('WARNING'),
    error: write('ERROR'),
    setLevel: (_level: LogLevel) => undefined,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

const servers: RunningServer[] = [];

/** Starts porta in this process with `config`; returns its first URL. */
export async function startPorta(
  config: ConfigInput,
  logger = recordingLogger(),
): Promise<{ server: RunningServer; url: string; logger: typeof logger }> {
  const server = await start({ log: { access: 'off' }, ...config }, { logger });
  servers.push(server);
  const first = server.addresses[0];
  if (first === undefined) throw new Error('porta bound nothing');
  return { server, url: first.url, logger };
}

/** A site on 127.0.0.1:0 with one proxy route. */
export function proxySite(proxy: Record<string, unknown>, path = '/'): ConfigInput {
  return { sites: [{ listen: ['127.0.0.1:0'], routes: [{ path, proxy: proxy as never }] }] };
}

/** Stops every porta and backend these helpers started. */
export async function closeAll(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(open.splice(0).map((b) => b.close()));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** GET through fetch: status, the backend that answered, the body. */
export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; backend: string | null; text: string; headers: Headers }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return {
    status: response.status,
    backend: response.headers.get('x-backend'),
    text,
    headers: response.headers,
  };
}
