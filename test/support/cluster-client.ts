// Requests on fresh connections that also say which porta worker accepted each one (Linux /proc), to prove a spread.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';

/** The pids of "Worker N (pid X) serving" lines, in order. */
export function workerPids(stderr: string): number[] {
  return [...stderr.matchAll(/Worker \d+ \(pid (\d+)\) serving/g)].map((m) => Number(m[1]));
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The pid holding the server end of the connection (null when none of `pids` did). */
  readonly pid: number | null;
}

/** The socket inode of the server end of a loopback TCP connection (IPv4 table). */
function serverInode(serverPort: number, clientPort: number): string | null {
  const hex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const remote = fields[2];
      if (local === undefined || remote === undefined) continue;
      if (local.endsWith(`:${hex(serverPort)}`) && remote.endsWith(`:${hex(clientPort)}`)) {
        return fields[9] ?? null;
      }
    }
  }
  return null;
}

/** Which of `pids` holds the socket with this inode. */
function ownerOf(inode: string, pids: readonly number[]): number | null {
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

/**
 * GET on a new connection (kept open until the owner is found, then closed). `localAddress`
 * picks the client's source address (127.0.0.2 is another client on Linux loopback).
 */
export function getOnNewConnection(
  url: string,
  path: string,
  pids: readonly number[],
  options: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port: Number(port),
        path,
        agent: false,
        timeout: 30_000,
        headers: { connection: 'keep-alive', ...options.headers },
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      },
      (res) => {
        const socket = res.socket; // node:http lets go of it at 'end'
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const inode = serverInode(Number(port), socket.localPort ?? 0);
          const pid = inode === null ? null : ownerOf(inode, pids);
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, pid });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Waits for a condition, polling; throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
