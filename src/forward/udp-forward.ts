// UDP port forwarding (docker's -p 53:53/udp): one session per client address, each with its own socket to a target.
import { type RemoteInfo, type Socket as UdpSocket, createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Balancer } from '../balance/balancer.js';
import { createBalancer } from '../balance/create-balancer.js';
import { PeerSet } from '../balance/peer-set.js';
import { PortaError } from '../errors.js';
import { type ListenAddress, formatHostPort } from '../net/listen-address.js';
import {
  ForwardStats,
  type ForwardStatsSource,
  RECEIVED_SLOT,
  SENT_SLOT,
} from '../metrics/forward-stats.js';
import { ForwardTarget } from './forward-target.js';
import type { ForwardLogger, ForwardOptions } from './options.js';
import type { ForwardListener } from './tcp-forward.js';

/** How often idle sessions are looked for. */
const SWEEP_MS = 1000;

/** One client (address and port) and its socket towards the target chosen for it. */
class UdpSession {
  readonly key: string;
  readonly client: RemoteInfo;
  readonly target: ForwardTarget;
  readonly socket: UdpSocket;
  readonly started = Date.now();
  lastActive = Date.now();
  packetsUp = 0;
  bytesUp = 0;
  packetsDown = 0;
  bytesDown = 0;
  /** Datagrams that arrived before the socket was connected. */
  queue: Buffer[] | null = [];

  constructor(key: string, client: RemoteInfo, target: ForwardTarget, socket: UdpSocket) {
    this.key = key;
    this.client = client;
    this.target = target;
    this.socket = socket;
  }
}

class UdpForwarder {
  readonly #options: ForwardOptions;
  readonly #logger: ForwardLogger;
  readonly #targets: PeerSet<ForwardTarget>;
  readonly #balancer: Balancer;
  readonly #sessions = new Map<string, UdpSession>();
  readonly #server: UdpSocket;
  #sweeper: NodeJS.Timeout | null = null;
  via = '';
  /** Sessions and bytes (metrics): set once bound, before the first datagram. */
  stats = new ForwardStats({});

  constructor(server: UdpSocket, options: ForwardOptions, logger: ForwardLogger) {
    this.#server = server;
    this.#options = options;
    this.#logger = logger;
    this.#balancer = createBalancer(options.balance);
    this.#targets = new PeerSet<ForwardTarget>(options.targets, {
      create: (spec, address) => new ForwardTarget(spec, address, options.passive),
      resolveIntervalMs: options.resolveIntervalMs,
      logger,
    });
    server.on('message', this.#onMessage);
    if (options.idleTimeoutMs > 0) {
      this.#sweeper = setInterval(
        () => {
          this.#sweep();
        },
        Math.min(SWEEP_MS, options.idleTimeoutMs),
      );
      this.#sweeper.unref();
    }
  }

  readonly #onMessage = (message: Buffer, client: RemoteInfo): void => {
    const key = `${client.address}|${client.port}`;
    let session = this.#sessions.get(key);
    if (session === undefined) {
      const created = this.#open(key, client);
      if (created === null) return;
      session = created;
    }
    session.lastActive = Date.now();
    session.packetsUp++;
    session.bytesUp += message.length;
    const bytes = this.stats.bytes;
    bytes[RECEIVED_SLOT] = (bytes[RECEIVED_SLOT] as number) + message.length;
    if (session.queue !== null) session.queue.push(message);
    else session.socket.send(message);
  };

  #open(key: string, client: RemoteInfo): UdpSession | null {
    if (this.#sessions.size >= this.#options.maxConnections) {
      this.#logger.debug(
        `UDP forward ${this.via}: datagram from ${describe(client)} dropped: session limit`,
      );
      return null;
    }
    const target = this.#balancer.pick(this.#targets.available(Date.now()), client.address);
    if (target === undefined) {
      this.#logger.warning(`UDP forward ${describe(client)} -> ${this.via}: no target available`);
      return null;
    }
    const socket = createSocket(isIPv6(target.address) ? 'udp6' : 'udp4');
    const session = new UdpSession(key, client, target, socket);
    this.#sessions.set(key, session);
    target.active++;
    const stats = this.stats;
    stats.opened++;
    stats.open++;
    socket.on('message', (reply: Buffer) => {
      session.lastActive = Date.now();
      session.packetsDown++;
      session.bytesDown += reply.length;
      stats.bytes[SENT_SLOT] = (stats.bytes[SENT_SLOT] as number) + reply.length;
      this.#server.send(reply, client.port, client.address);
    });
    socket.on('error', (error: Error) => {
      // ICMP port unreachable shows up here (ECONNREFUSED): the target is not listening.
      this.#logger.debug(`UDP forward ${describe(client)} -> ${target.id}: ${error.message}`);
    });
    socket.connect(target.port, target.address, () => {
      const queued = session.queue ?? [];
      session.queue = null;
      for (const datagram of queued) socket.send(datagram);
    });
    return session;
  }

  #sweep(): void {
    const limit = Date.now() - this.#options.idleTimeoutMs;
    for (const session of this.#sessions.values()) {
      if (session.lastActive < limit) this.#end(session, 'idle timeout');
    }
  }

  #end(session: UdpSession, why: string): void {
    if (!this.#sessions.delete(session.key)) return;
    session.target.active--;
    this.stats.open--;
    session.socket.close();
    const logger = this.#logger;
    if (!this.#options.logConnections && !logger.debugEnabled) return;
    const seconds = ((Date.now() - session.started) / 1000).toFixed(3);
    const line =
      `UDP forward ${describe(session.client)} -> ${session.target.id} via ${this.via}: ` +
      `${session.packetsUp} datagrams (${session.bytesUp} bytes) up, ` +
      `${session.packetsDown} datagrams (${session.bytesDown} bytes) down, ${seconds} s (${why})`;
    if (this.#options.logConnections) logger.info(line);
    else logger.debug(line);
  }

  close(): void {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    this.#targets.close();
    for (const session of [...this.#sessions.values()]) this.#end(session, 'shutdown');
  }
}

function bindUdp(
  type: 'udp4' | 'udp6',
  port: number,
  host: string | undefined,
): Promise<UdpSocket> {
  const socket = createSocket({ type });
  return new Promise<UdpSocket>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ port, ...(host === undefined ? {} : { address: host }) }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function listenFailed(address: ListenAddress, error: unknown): PortaError {
  const reason = error instanceof Error ? error.message : String(error);
  return new PortaError('PORTA_LISTEN_FAILED', `cannot listen on udp ${address.text}: ${reason}`, {
    cause: error,
  });
}

function describe(peer: RemoteInfo): string {
  return formatHostPort(peer.address, peer.port);
}

/** Binds a UDP socket on `address` and forwards datagrams per client session. */
export async function startUdpForward(
  address: ListenAddress,
  options: ForwardOptions,
  logger: ForwardLogger,
  stats: ForwardStatsSource | null,
): Promise<ForwardListener> {
  const host = address.host;
  let server: UdpSocket;
  try {
    // No host: both families, like the TCP listeners (an IPv6 socket with IPv4-mapped addresses).
    server = await bindUdp(
      host === undefined || isIPv6(host) ? 'udp6' : 'udp4',
      address.port,
      host,
    );
  } catch (error) {
    if (host !== undefined) throw listenFailed(address, error);
    // A machine without IPv6: all IPv4 interfaces, like Node's TCP fallback.
    try {
      server = await bindUdp('udp4', address.port, undefined);
    } catch (again) {
      throw listenFailed(address, again);
    }
  }
  server.on('error', (error: Error) => {
    logger.error(`UDP forward ${address.text}: ${error.message}`);
  });
  const forwarder = new UdpForwarder(server, options, logger);
  const bound = server.address();
  forwarder.via = formatHostPort(bound.address, bound.port);
  if (stats !== null) forwarder.stats = stats.forward('udp', forwarder.via);
  return {
    addresses: [{ host: bound.address, port: bound.port }],
    close: () =>
      new Promise<void>((resolve) => {
        forwarder.close();
        server.close(() => {
          resolve();
        });
      }),
  };
}
