// Binds a TCP listener with safe defaults and turns bind failures into messages a user can act on.
import { createServer, type Server, type Socket } from 'node:net';
import { PortaError } from '../errors.js';
import type { ListenAddress } from './listen-address.js';

export interface ListenOptions {
  /**
   * Open connections on this listener; the kernel-accepted extras are closed at once (Node's
   * 'drop'). Leave it out when the caller caps connections itself (HTTP: connection-budget).
   */
  readonly maxConnections?: number;
  /** Pending-accept queue length (listen(2) backlog); Node's default is 511. */
  readonly backlog?: number;
  /**
   * Errors nobody else would see: the server failing after bind (EMFILE on accept) or
   * `onConnection` throwing. Default: a process warning on stderr. Never called for a
   * client's own socket errors (ECONNRESET and friends): those just close that socket.
   */
  readonly onError?: (error: unknown) => void;
  /**
   * Set TCP_NODELAY on every accepted socket (default true). The HTTP listener passes false and
   * sets it itself where more than one write can follow (a setsockopt per connection saved for
   * clients that send one request and close: see BENCHMARKS.md, issue 13).
   */
  readonly noDelay?: boolean;
}

/**
 * Binds `address` and calls `onConnection` for each accepted socket. Every accepted socket
 * already has an 'error' listener, so a client reset can never crash the process; the
 * caller owns the write side (half-open is allowed: a client's FIN does not end ours).
 * Rejects with PortaError('PORTA_LISTEN_FAILED') and a friendly message.
 */
export function listen(
  address: ListenAddress,
  onConnection: (socket: Socket) => void,
  options: ListenOptions,
): Promise<Server> {
  const onError = options.onError ?? warn;
  const server = createServer({
    // Small writes go out at once; we batch with cork()/writev ourselves.
    noDelay: options.noDelay ?? true,
    // A client that half-closes (shutdown(SHUT_WR)) may still be waiting for our reply.
    allowHalfOpen: true,
  });
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  server.on('connection', (socket: Socket) => {
    // First thing, before any other code can run: an 'error' event without a listener
    // would throw and take the whole process down.
    socket.on('error', ignoreClientError);
    try {
      onConnection(socket);
    } catch (error) {
      socket.destroy();
      onError(error);
    }
  });

  return new Promise<Server>((resolve, reject) => {
    const onListenError = (error: Error): void => {
      server.off('listening', onListening);
      reject(
        new PortaError('PORTA_LISTEN_FAILED', describeListenError(error, address), {
          cause: error,
        }),
      );
    };
    const onListening = (): void => {
      server.off('error', onListenError);
      // Kept for the server's whole life: accept(2) can fail later (EMFILE).
      server.on('error', onError);
      resolve(server);
    };
    server.once('error', onListenError);
    server.once('listening', onListening);
    server.listen({
      port: address.port,
      ...(address.host === undefined ? {} : { host: address.host }),
      ...(options.backlog === undefined ? {} : { backlog: options.backlog }),
    });
  });
}

/**
 * Stops accepting and resolves once the server is fully closed, which is when its last
 * connection has closed too: end or destroy open sockets yourself. Resolves at once for a
 * server that is not listening.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    // The only error close() reports is ERR_SERVER_NOT_RUNNING: already closed is closed.
    server.close(() => {
      resolve();
    });
  });
}

/**
 * The message for a bind failure, naming the address and what to do next. Exported so the
 * cases a test machine cannot produce (EACCES as root) can be checked with synthetic errors.
 */
export function describeListenError(error: unknown, address: ListenAddress): string {
  const code = errorCode(error);
  const where = address.host === undefined ? `port ${address.port}` : address.text;
  switch (code) {
    case 'EADDRINUSE':
      return (
        `${where} is already in use by another program. Stop it, or pick another port, ` +
        `e.g. --port ${nextPort(address.port)} (or 0 for any free port)`
      );
    case 'EACCES':
      if (address.port > 0 && address.port < 1024) {
        // Linux: ports below net.ipv4.ip_unprivileged_port_start (1024) need CAP_NET_BIND_SERVICE.
        return (
          `binding port ${address.port} needs privileges: use a port >= 1024, or grant the ` +
          `capability: sudo setcap cap_net_bind_service=+ep $(command -v node), ` +
          `or run as root / in a container`
        );
      }
      return (
        `permission denied binding ${where}: a security policy (SELinux, AppArmor, a ` +
        `sandbox) forbids it; try another port or address`
      );
    case 'EADDRNOTAVAIL':
      return (
        `${address.host ?? 'this address'} is not an address of this machine; ` +
        `use 0.0.0.0 for all, or 127.0.0.1`
      );
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return (
        `cannot listen on ${where}: host name "${address.host ?? ''}" does not resolve; ` +
        `use an IP address such as 127.0.0.1 or 0.0.0.0, or fix the name`
      );
    case 'EAI_AGAIN':
      return (
        `cannot listen on ${where}: looking up "${address.host ?? ''}" failed for now (DNS ` +
        `unreachable?); use an IP address such as 127.0.0.1 or 0.0.0.0`
      );
    case 'EAFNOSUPPORT':
      return `cannot listen on ${where}: this machine has no IPv6 (or no IPv4); use the other family`;
    case 'EMFILE':
    case 'ENFILE':
      return `cannot listen on ${where}: too many open files; raise the limit (ulimit -n)`;
    default:
      return `cannot listen on ${where}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The `code` of a Node system error ('EADDRINUSE'), if it has one. */
function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

function nextPort(port: number): number {
  return port === 0 || port >= 65535 ? 8081 : port + 1;
}

/** A client's socket error (reset, broken pipe, timeout): the socket closes; nothing more to do. */
function ignoreClientError(): void {
  // Deliberately empty: 'close' follows, and whoever owns the socket handles that.
}

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : String(error));
}
