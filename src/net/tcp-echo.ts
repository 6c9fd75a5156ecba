// The RFC 862 TCP echo service: every byte a client sends comes back; the smallest complete server in porta.
//
// Read this file as the teaching example for what every porta listener must get right:
// backpressure (never buffer more than a socket's worth), half-close, idle timeouts, a
// connection cap, and a graceful close. The HTTP engine does the same things with more words.
import type { AddressInfo, Server, Socket } from 'node:net';
import { formatHostPort, type ListenAddress } from './listen-address.js';
import { closeServer, listen } from './listener.js';
import { unmapAddress } from './peer-address.js';

/**
 * The logger shape we need (structural, so net/ does not depend on how log/ builds one).
 * Only debug lines come from here; the caller announces the bound addresses.
 */
export interface EchoLogger {
  readonly debugEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
}

export interface TcpEchoOptions {
  /** Open connections per listening address; the extras are closed at accept. */
  readonly maxConnections: number;
  /** A connection with no bytes in either direction for this long is closed; 0 = never. */
  readonly idleTimeoutMs: number;
  /** On close(): how long connections get to finish before they are cut. Default 2000. */
  readonly closeGraceMs?: number;
  readonly logger?: EchoLogger;
}

export interface TcpEcho {
  /** What was actually bound (port 0 resolved to the kernel's pick). */
  readonly addresses: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** Stops accepting, ends open connections (cut after the grace period), resolves when all are closed. */
  close(): Promise<void>;
}

const DEFAULT_CLOSE_GRACE_MS = 2000;

/** Binds every address (all or none: a failure unbinds the ones already bound) and starts echoing. */
export async function startTcpEcho(
  addresses: readonly ListenAddress[],
  options: TcpEchoOptions,
): Promise<TcpEcho> {
  const { logger } = options;
  const open = new Set<Socket>();
  const servers: Server[] = [];

  const onConnection = (socket: Socket): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    serveEcho(socket, options.idleTimeoutMs, logger);
  };

  try {
    for (const address of addresses) {
      const server = await listen(address, onConnection, {
        maxConnections: options.maxConnections,
      });
      servers.push(server);
      if (logger?.debugEnabled === true) {
        // Node emits 'drop' when it closes a connection over maxConnections.
        server.on('drop', (peer) => {
          const from = peer?.remoteAddress === undefined ? 'a client' : describePeer(peer);
          logger.debug(`Connection from ${from} refused: ${options.maxConnections} open already`);
        });
      }
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }

  const bound = servers.map((server) => {
    const info = server.address() as AddressInfo; // a TCP server's address() is never a string
    return { host: info.address, port: info.port };
  });
  return {
    addresses: bound,
    close: () => closeAll(servers, open, options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS),
  };
}

/** One connection: pipe the socket into itself, which gives us backpressure and half-close for free. */
function serveEcho(socket: Socket, idleTimeoutMs: number, logger: EchoLogger | undefined): void {
  if (logger?.debugEnabled === true) {
    // Built only at debug level: the address is gone from the socket once it closes.
    const peer = describePeer(socket);
    const started = Date.now();
    logger.debug(`Connection from ${peer}`);
    socket.once('close', (hadError) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(3);
      logger.debug(
        `Connection from ${peer} closed${hadError ? ' with an error' : ''}: ` +
          `${socket.bytesRead} bytes in, ${socket.bytesWritten} bytes out, ${seconds} s`,
      );
    });
  }

  // Backpressure: pipe() stops reading when write() returns false (the client is not
  // reading its echo fast enough) and resumes on 'drain'. So a client that sends 50 MB
  // without reading stalls in the kernel's buffers instead of in our memory.
  //
  // Half-close: when the client sends FIN ('end'), pipe() calls end() on our side, which
  // sends our FIN only after everything still queued has been written. The listener set
  // allowHalfOpen, so nothing ends our side before that.
  socket.pipe(socket);

  // Idle timeout: 'timeout' fires after idleTimeoutMs with no reads and no writes. A silent
  // client holds a file descriptor and a connection slot forever otherwise.
  if (idleTimeoutMs > 0) {
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  }
}

/** Graceful stop: no new connections, FIN to open ones, RST to whatever is still open after the grace period. */
async function closeAll(servers: Server[], open: Set<Socket>, graceMs: number): Promise<void> {
  // Stop accepting first; each promise resolves when its server's last connection is gone.
  const closed = Promise.all(servers.map(closeServer));
  for (const socket of open) {
    // Detach the echo so nothing writes after our FIN, then send the FIN after queued bytes.
    socket.unpipe(socket);
    socket.end();
    // Whatever the client still sends is read and dropped, so its FIN can reach us.
    socket.resume();
  }
  const deadline = setTimeout(() => {
    for (const socket of open) socket.destroy();
  }, graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(deadline);
  }
}

/** `127.0.0.1:51234` or `[::1]:51234` for logs. */
function describePeer(peer: {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}): string {
  return formatHostPort(unmapAddress(peer.remoteAddress ?? 'unknown'), peer.remotePort ?? 0);
}
