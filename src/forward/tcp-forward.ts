// TCP port forwarding (docker's -p, nginx's stream proxy): accept, pick a target, connect, pipe both ways, log.
import { type AddressInfo, type Server, type Socket, connect } from 'node:net';
import type { Balancer } from '../balance/balancer.js';
import { createBalancer } from '../balance/create-balancer.js';
import { HealthChange } from '../balance/peer-health.js';
import { PeerSet } from '../balance/peer-set.js';
import { type ListenAddress, formatHostPort } from '../net/listen-address.js';
import { closeServer, listen } from '../net/listener.js';
import { unmapAddress } from '../net/peer-address.js';
import { pipeSockets } from '../net/pipe.js';
import type { TicketKeys } from '../net/ticket-keys.js';
import { ForwardStats, type ForwardStatsSource } from '../metrics/forward-stats.js';
import { TlsAcceptor } from '../net/tls-acceptor.js';
import { ForwardTarget } from './forward-target.js';
import type { ForwardLogger, ForwardOptions } from './options.js';
import { type ConnectionEnds, proxyHeaderV1, proxyHeaderV2 } from './proxy-protocol.js';

export interface ForwardListener {
  /** What was bound (port 0 resolved). */
  readonly addresses: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** Stops accepting; open connections get the shutdown time, then are cut. */
  close(): Promise<void>;
}

/** Everything one listener's connections share. */
class TcpForwarder {
  readonly options: ForwardOptions;
  readonly logger: ForwardLogger;
  readonly targets: PeerSet<ForwardTarget>;
  readonly balancer: Balancer;
  readonly open = new Set<Socket>();
  /** "127.0.0.1:8080": the listener, for log lines. */
  via = '';
  /** Sessions and bytes (metrics): set once bound, before the first connection. */
  stats = new ForwardStats({});

  constructor(options: ForwardOptions, logger: ForwardLogger) {
    this.options = options;
    this.logger = logger;
    this.balancer = createBalancer(options.balance);
    this.targets = new PeerSet<ForwardTarget>(options.targets, {
      create: (spec, address) => new ForwardTarget(spec, address, options.passive),
      resolveIntervalMs: options.resolveIntervalMs,
      logger,
    });
  }

  readonly accept = (client: Socket): void => {
    this.open.add(client);
    const stats = this.stats;
    stats.opened++;
    stats.open++;
    client.once('close', () => {
      this.open.delete(client);
      stats.open--;
    });
    const ready = this.targets.ready();
    void ready.then(() => {
      new ForwardConnection(this, client).connectNext();
    });
  };
}

/** One client connection and its trip to a target. */
class ForwardConnection {
  readonly #forwarder: TcpForwarder;
  readonly #client: Socket;
  readonly #clientText: string;
  readonly #started = Date.now();
  #tried: ForwardTarget[] | null = null;

  constructor(forwarder: TcpForwarder, client: Socket) {
    this.#forwarder = forwarder;
    this.#client = client;
    this.#clientText = formatHostPort(
      unmapAddress(client.remoteAddress ?? '?'),
      client.remotePort ?? 0,
    );
  }

  /** Connects to the next target the balancer gives; when none is left, closes the client. */
  connectNext(): void {
    const forwarder = this.#forwarder;
    const client = this.#client;
    if (client.destroyed) return;
    let available = forwarder.targets.available(Date.now());
    const tried = this.#tried;
    if (tried !== null) available = available.filter((t) => !tried.includes(t));
    const target =
      tried !== null && tried.length > forwarder.options.retries
        ? undefined
        : forwarder.balancer.pick(available, client.remoteAddress ?? '');
    if (target === undefined) {
      forwarder.logger.warning(
        `Forward ${this.#clientText} -> ${forwarder.via}: no target available; closing the connection`,
      );
      client.destroy();
      return;
    }
    target.active++;
    const upstream = connect({
      host: target.address,
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    let connected = false;
    const onFailure = (reason: string): void => {
      if (connected) return;
      target.active--;
      upstream.destroy();
      (this.#tried ??= []).push(target);
      if (target.health.recordFailure(Date.now()) === HealthChange.Down) {
        forwarder.targets.markStale();
        forwarder.logger.warning(
          `Forward target ${target.id} is down for ${forwarder.options.passive.failTimeoutMs / 1000} s`,
        );
      }
      forwarder.logger.warning(
        `Forward ${this.#clientText} -> ${target.id}: connect failed: ${reason}`,
      );
      this.connectNext();
    };
    upstream.setTimeout(forwarder.options.connectTimeoutMs, () => {
      onFailure(`no connection within ${forwarder.options.connectTimeoutMs} ms`);
    });
    upstream.once('error', (error: Error) => {
      onFailure(error.message);
    });
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      upstream.on('error', ignore); // the pipe reports errors through its outcome
      target.health.recordSuccess();
      this.#pipe(target, upstream);
    });
  }

  #pipe(target: ForwardTarget, upstream: Socket): void {
    const forwarder = this.#forwarder;
    const client = this.#client;
    const version = forwarder.options.proxyProtocol;
    if (version !== 0) {
      const ends: ConnectionEnds = {
        sourceAddress: client.remoteAddress ?? '',
        sourcePort: client.remotePort ?? 0,
        destinationAddress: client.localAddress ?? '',
        destinationPort: client.localPort ?? 0,
      };
      upstream.write(version === 1 ? proxyHeaderV1(ends) : proxyHeaderV2(ends));
    }
    const pipe = { idleTimeoutMs: forwarder.options.idleTimeoutMs, counts: forwarder.stats.bytes };
    void pipeSockets(client, upstream, pipe).then((result) => {
      target.active--;
      if (!forwarder.options.logConnections && !forwarder.logger.debugEnabled) return;
      const seconds = ((Date.now() - this.#started) / 1000).toFixed(3);
      const how =
        result.outcome === 'done'
          ? ''
          : result.outcome === 'idle'
            ? ' (idle timeout)'
            : ` (${result.error?.message ?? 'reset'})`;
      const line =
        `Forward ${this.#clientText} -> ${target.id} via ${forwarder.via}: ` +
        `${result.bytesAToB} bytes up, ${result.bytesBToA} bytes down, ${seconds} s${how}`;
      if (forwarder.options.logConnections) forwarder.logger.info(line);
      else forwarder.logger.debug(line);
    });
  }
}

function ignore(): void {
  // Deliberately empty: pipeSockets sees the error through 'close' and reports it.
}

/** Binds `address` and forwards every connection to the targets. */
/** TLS in front of the forwarder: the same acceptor as HTTPS listeners (deadline, bad input), no ALPN. */
function tlsFront(
  options: ForwardOptions,
  keys: TicketKeys,
  forwarder: TcpForwarder,
  logger: ForwardLogger,
): TlsAcceptor | null {
  if (options.tls === null) return null;
  return new TlsAcceptor(
    {
      sites: [{ hosts: [], certificate: options.tls.certificate, clientAuth: 'off' }],
      alpn: [],
      handshakeTimeoutMs: options.tls.handshakeTimeoutMs,
    },
    keys,
    forwarder.accept,
    (error, socket) => {
      if (logger.debugEnabled) {
        logger.debug(
          `Forward ${forwarder.via}: TLS handshake from ${socket.remoteAddress ?? '?'} failed: ${error.message}`,
        );
      }
    },
  );
}

export async function startTcpForward(
  address: ListenAddress,
  options: ForwardOptions,
  logger: ForwardLogger,
  keys: TicketKeys,
  stats: ForwardStatsSource | null,
): Promise<ForwardListener> {
  const forwarder = new TcpForwarder(options, logger);
  const tls = tlsFront(options, keys, forwarder, logger);
  const accept =
    tls === null
      ? forwarder.accept
      : (raw: Socket): void => {
          tls.accept(raw);
        };
  let server: Server;
  try {
    server = await listen(address, accept, {
      maxConnections: options.maxConnections,
      onError: (error) => {
        logger.error(`Forward listener ${address.text}: ${String(error)}`);
      },
    });
  } catch (error) {
    forwarder.targets.close();
    tls?.close();
    throw error;
  }
  server.on('drop', (peer) => {
    logger.warning(
      `Forward ${address.text}: connection from ${formatHostPort(peer?.remoteAddress ?? '?', peer?.remotePort ?? 0)} refused: ${options.maxConnections} open already`,
    );
  });
  const info = server.address() as AddressInfo;
  forwarder.via = formatHostPort(info.address, info.port);
  if (stats !== null) forwarder.stats = stats.forward('tcp', forwarder.via);
  return {
    addresses: [{ host: info.address, port: info.port }],
    close: async () => {
      const closed = closeServer(server);
      forwarder.targets.close();
      tls?.close(); // handshakes still under way are cut; finished ones are forwarder.open
      const deadline = setTimeout(() => {
        for (const socket of forwarder.open) socket.destroy();
      }, options.shutdownMs);
      deadline.unref();
      await closed;
      clearTimeout(deadline);
    },
  };
}
