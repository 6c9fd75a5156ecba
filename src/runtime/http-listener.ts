// One HTTP listener: a bound socket (cleartext or TLS), the HTTP/1.1 and HTTP/2 engines on it and the dispatcher whose router reloads swap.
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Http2Mode, HttpListenerPlan, TlsListenerPlan } from '../config/build-plan.js';
import { ConnectionSet } from '../http/connection-set.js';
import { Dispatcher, type EngineSettings } from '../http/dispatcher.js';
import { Router } from '../http/router.js';
import { Http1Server } from '../http1/http1-server.js';
import type { Http2Server } from '../http2/http2-server.js';
import type { AccessLog } from '../log/access-log.js';
import type { Logger } from '../log/logger.js';
import { formatHostPort, formatUrl } from '../net/listen-address.js';
import { closeServer, listen } from '../net/listener.js';
import { unmapAddress } from '../net/peer-address.js';
import type { ListenerStats } from '../metrics/listener-stats.js';
import type { ProcessMetrics } from '../metrics/process-metrics.js';
import type { ConnectionGuard } from './connection-guard.js';
import type { TicketKeys } from '../net/ticket-keys.js';
import type { TlsAcceptor, TlsAcceptorOptions } from '../net/tls-acceptor.js';
import type { CertificateWatcher } from '../net/certificate-watcher.js';
import type { Engines } from './protocol-choice.js';

/** The ALPN list a TLS listener offers, best first (RFC 7301): h2 unless the sites say `http2: off`. */
export function alpnProtocols(tls: TlsListenerPlan): readonly string[] {
  return tls.http2 ? ['h2', 'http/1.1'] : ['http/1.1'];
}

/** Certificates for the acceptor: every one loaded (runtime/start issues `internal` ones first). */
export function tlsAcceptorOptions(tls: TlsListenerPlan): TlsAcceptorOptions {
  return {
    sites: tls.sites.map((site) => {
      if (site.certificate === null) {
        throw new Error(
          `no certificate was issued for ${site.hosts.join(', ') || 'the default site'}`,
        );
      }
      return { hosts: site.hosts, certificate: site.certificate, clientAuth: site.clientAuth };
    }),
    alpn: alpnProtocols(tls),
    handshakeTimeoutMs: tls.handshakeTimeoutMs,
  };
}

/** Whether connections of this plan may speak HTTP/2: h2c sniffing, or h2 offered by ALPN. */
function mayUseHttp2(plan: HttpListenerPlan): boolean {
  return plan.http2 === 'h2c' || plan.tls?.http2 === true;
}

type Http2Engine = typeof import('../http2/http2-server.js');
let http2Engine: Promise<Http2Engine> | null = null;
/** What tells h2c from HTTP/1.1 by the first bytes: loaded with the engine, set once loaded. */
let PrefaceSniffer: typeof import('./protocol-choice.js').PrefaceSniffer | null = null;

/** node:http2 and porta's engine on it (and the h2c preface sniffer), loaded once per process. */
function loadHttp2Engine(): Promise<Http2Engine> {
  http2Engine ??= Promise.all([
    import('../http2/http2-server.js'),
    import('./protocol-choice.js'),
  ]).then(([engine, choice]) => {
    PrefaceSniffer = choice.PrefaceSniffer;
    return engine;
  });
  return http2Engine;
}

/** What a TLS listener needs beside the engines: node:tls and porta's acceptor, the certificate files. */
interface TlsParts {
  readonly TlsAcceptor: typeof TlsAcceptor;
  readonly CertificateWatcher: typeof CertificateWatcher;
  readonly loadCertificate: typeof import('../net/tls-certificate.js').loadCertificate;
}
let tlsParts: TlsParts | null = null;

/**
 * Loaded with the first TLS listener (open() awaits it before binding): a cleartext server never
 * loads node:tls, the SNI table or the certificate code.
 */
async function loadTlsParts(): Promise<TlsParts> {
  if (tlsParts !== null) return tlsParts;
  const [acceptor, watcher, certificate] = await Promise.all([
    import('../net/tls-acceptor.js'),
    import('../net/certificate-watcher.js'),
    import('../net/tls-certificate.js'),
  ]);
  tlsParts = {
    TlsAcceptor: acceptor.TlsAcceptor,
    CertificateWatcher: watcher.CertificateWatcher,
    loadCertificate: certificate.loadCertificate,
  };
  return tlsParts;
}

/** The TLS parts of a listener that has TLS: open() loaded them before it existed. */
function loadedTlsParts(): TlsParts {
  if (tlsParts === null) throw new Error('a TLS listener exists before its TLS code was loaded');
  return tlsParts;
}

function settingsOf(plan: HttpListenerPlan): EngineSettings {
  return { limits: plan.limits, timeouts: plan.timeouts, http2: plan.http2Limits };
}

export class HttpListener implements Engines {
  readonly key: string;
  readonly server: Server;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every connection of both engines (and those still being sniffed): one drain covers all. */
  readonly #connections: ConnectionSet;
  readonly #http1: Http1Server;
  /**
   * Loaded when a plan may use it: node:http2 and the engine cost ~1.5 MiB of memory that a
   * cleartext HTTP/1.1 listener (the default) never needs.
   */
  #http2: Http2Server | null = null;
  #http2Loading: Promise<Http2Server> | null = null;
  readonly #dispatcher: Dispatcher;
  readonly #tls: TlsAcceptor | null;
  /** Swapped on reload: new cleartext connections follow the new mode. */
  #http2Mode: Http2Mode;
  #tlsPlan: TlsListenerPlan | null;
  #watcher: CertificateWatcher | null = null;
  readonly #logger: Logger;
  readonly #guard: ConnectionGuard;
  /** Where this process counts (null: nobody reads the numbers, nothing counted). */
  readonly #metrics: ProcessMetrics | null;
  /** This listener's counters, named by its bound address (port 0 gets its real port). */
  readonly #stats: ListenerStats | null;

  private constructor(
    plan: HttpListenerPlan,
    server: Server,
    dispatcher: Dispatcher,
    connections: ConnectionSet,
    tls: TlsAcceptor | null,
    logger: Logger,
    guard: ConnectionGuard,
    metrics: ProcessMetrics | null,
  ) {
    this.key = plan.key;
    this.server = server;
    this.#dispatcher = dispatcher;
    this.#connections = connections;
    this.#http1 = new Http1Server(dispatcher, connections);
    this.#http2Mode = plan.http2;
    this.#tls = tls;
    this.#tlsPlan = plan.tls;
    this.#logger = logger;
    this.#guard = guard;
    const bound = server.address() as AddressInfo;
    this.host = bound.address;
    this.port = bound.port;
    this.url = formatUrl(tls === null ? 'http' : 'https', bound.address, bound.port);
    this.#metrics = metrics;
    this.#stats = null;
    if (metrics !== null) {
      const stats = metrics.listener(formatHostPort(bound.address, bound.port));
      stats.probe = () => ({ open: connections.size, idle: connections.idleCount });
      dispatcher.counters = { listener: stats, unrouted: metrics.unrouted };
      this.#stats = stats;
    }
  }

  /** Binds the plan's address and serves it; TLS connections go to the engine their ALPN chose. */
  static async open(
    plan: HttpListenerPlan,
    logger: Logger,
    access: AccessLog | null,
    keys: TicketKeys,
    guard: ConnectionGuard,
    metrics: ProcessMetrics | null = null,
  ): Promise<HttpListener> {
    // Loaded before binding, so a listener that offers HTTP/2 takes its first connection at once.
    if (mayUseHttp2(plan)) await loadHttp2Engine();
    const dispatcher = new Dispatcher(new Router(plan.sites), settingsOf(plan), {
      error: (message) => {
        logger.error(message);
      },
      debugEnabled: logger.debugEnabled,
      debug: (message) => {
        logger.debug(message);
      },
      access,
    });
    // The guard's budget caps the whole process (every listener) and reclaims before refusing.
    const connections = new ConnectionSet(guard.budget);
    // Set once the listener exists: listen() resolves in a microtask, connections come later.
    let self: HttpListener | null = null;
    const tlsCode = plan.tls === null ? null : await loadTlsParts();
    const tls =
      plan.tls === null || tlsCode === null
        ? null
        : new tlsCode.TlsAcceptor(
            tlsAcceptorOptions(plan.tls),
            keys,
            (socket) => {
              if (self === null) socket.destroy();
              else self.acceptTls(socket);
            },
            logger.debugEnabled
              ? (error, socket) => {
                  logger.debug(
                    `TLS handshake from ${socket.remoteAddress ?? '?'} failed: ${error.message}`,
                  );
                }
              : undefined,
          );
    const serve = (socket: Socket): void => {
      if (logger.debugEnabled) {
        logger.debug(
          `Connection from ${formatHostPort(unmapAddress(socket.remoteAddress ?? '?'), socket.remotePort ?? 0)}`,
        );
      }
      if (tls !== null) {
        // The handshake and what follows take many writes: no Nagle delay between them.
        socket.setNoDelay(true);
        tls.accept(socket);
      } else if (self === null) socket.destroy();
      else self.acceptCleartext(socket);
    };
    let server: Server;
    try {
      // No Node maxConnections: the guard's budget caps the whole process and reclaims first.
      server = await listen(plan.address, serve, {
        // Set per connection where needed (TLS above, HTTP/2, HTTP/1.1 keep-alive and streaming):
        // a client that sends one request and reads one write never needs it.
        noDelay: false,
        onError: (error) => {
          guard.onListenerError(plan.address.text, error);
        },
      });
    } catch (error) {
      tls?.close();
      throw error;
    }
    self = new HttpListener(plan, server, dispatcher, connections, tls, logger, guard, metrics);
    self.#watchCertificates();
    if (mayUseHttp2(plan)) await self.#loadHttp2();
    return self;
  }

  /** A cleartext connection: HTTP/1.1, or either protocol by its first bytes when h2c is on. */
  acceptCleartext(socket: Socket): void {
    if (this.#http2Mode !== 'h2c') {
      this.acceptHttp1(socket);
      return;
    }
    if (PrefaceSniffer !== null) {
      new PrefaceSniffer(socket, this, this.#connections, this.#dispatcher.timeouts.headerMs);
      return;
    }
    // Only right after a reload turned h2c on: the socket is not read until the sniffer takes it.
    this.#loadHttp2().then(
      () => {
        if (!socket.destroyed) this.acceptCleartext(socket);
      },
      (error: unknown) => {
        this.#logger.error(`Cannot load the HTTP/2 engine: ${String(error)}`);
        socket.destroy();
      },
    );
  }

  /** A TLS connection after its handshake: the engine ALPN chose ("h2" or HTTP/1.1). */
  acceptTls(socket: TLSSocket): void {
    if (socket.alpnProtocol === 'h2') this.acceptHttp2(socket);
    else this.acceptHttp1(socket);
  }

  // The engines read the peer address when first asked (most connections never need it) and
  // unmap it then: logs, echo, allow lists and X-Forwarded-For see 127.0.0.1 on dual stack.

  acceptHttp1(socket: Socket): void {
    this.#admitted(socket, this.#http1.accept(socket));
  }

  acceptHttp2(socket: Socket): void {
    socket.setNoDelay(true); // h2c (TLS set it at accept): frames go out in many small writes
    const engine = this.#http2;
    if (engine !== null) {
      this.#admitted(socket, engine.accept(socket));
      return;
    }
    // Only after a reload turned HTTP/2 on: the socket is not read until the engine takes it.
    this.#loadHttp2().then(
      (loaded) => {
        if (socket.destroyed) return;
        this.#admitted(socket, loaded.accept(socket));
      },
      (error: unknown) => {
        this.#logger.error(`Cannot load the HTTP/2 engine: ${String(error)}`);
        socket.destroy();
      },
    );
  }

  /** The HTTP/2 engine, loaded once (a second call gets the same promise). */
  #loadHttp2(): Promise<Http2Server> {
    this.#http2Loading ??= loadHttp2Engine().then(({ Http2Server }) => {
      this.#http2 = new Http2Server(this.#dispatcher, this.#connections);
      return this.#http2;
    });
    return this.#http2Loading;
  }

  /** Counts a connection an engine took (cleartext, TLS or h2c alike), or one the cap refused. */
  #admitted(socket: Socket, accepted: boolean): void {
    if (!accepted) {
      if (this.#metrics !== null) this.#metrics.rejectedCap++;
      return;
    }
    this.#guard.onAccepted();
    const stats = this.#stats;
    if (stats === null) return;
    stats.accepted++;
    // 'close' comes once: `on` spares the wrapper `once` would allocate per connection.
    socket.on('close', stats.onSocketClose);
  }

  /**
   * Checks what a reload would change that can still fail (new certificates build into TLS
   * contexts): run for every kept listener before anything is swapped.
   */
  static prepare(plan: HttpListenerPlan, current: HttpListener): TlsAcceptorOptions | null {
    if ((plan.tls === null) !== (current.#tls === null)) {
      throw new Error(`${plan.address.text} cannot switch between HTTP and HTTPS in place`);
    }
    return plan.tls === null ? null : tlsAcceptorOptions(plan.tls);
  }

  /** New certificates (and ALPN list) for the next handshakes; throws (keeping the old ones) on a bad one. */
  updateCertificates(options: TlsAcceptorOptions, plan: TlsListenerPlan): void {
    this.#tls?.update(options);
    this.#tlsPlan = plan;
    this.#watchCertificates();
  }

  /** Renewed files on disk (certbot) reach new handshakes without a reload; a bad pair is logged and skipped. */
  #watchCertificates(): void {
    this.#watcher?.close();
    const plan = this.#tlsPlan;
    if (plan === null) return;
    const paths = plan.sites.flatMap((site) => {
      const files = site.certificate?.files;
      if (files === undefined) return [];
      return [files.certPath, files.keyPath, files.clientCaPath, files.ocspPath].filter(
        (path): path is string => path !== undefined,
      );
    });
    this.#watcher = new (loadedTlsParts().CertificateWatcher)(paths, () => {
      this.#reloadCertificates(plan);
    });
  }

  #reloadCertificates(plan: TlsListenerPlan): void {
    const { loadCertificate } = loadedTlsParts();
    try {
      const sites = plan.sites.map((site) =>
        site.certificate === null
          ? site
          : { ...site, certificate: loadCertificate(site.certificate.files) },
      );
      const next = { ...plan, sites };
      this.#tls?.update(tlsAcceptorOptions(next));
      this.#tlsPlan = next;
      this.#logger.info(`Reloaded the certificates of ${this.url} from disk`);
    } catch (error) {
      this.#logger.error(
        `Certificate files of ${this.url} changed but cannot be used, keeping the old ones: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Reload: new connections and new requests use the new routes, limits and timeouts at once. */
  update(plan: HttpListenerPlan, access: AccessLog | null): void {
    this.#dispatcher.update(new Router(plan.sites), settingsOf(plan), access);
    this.#http2Mode = plan.http2;
    if (mayUseHttp2(plan)) {
      this.#loadHttp2().catch((error: unknown) => {
        this.#logger.error(`Cannot load the HTTP/2 engine: ${String(error)}`);
      });
    }
  }

  /**
   * Stops accepting, finishes in-flight requests (up to the deadline), closes idle connections;
   * HTTP/2 connections get GOAWAY and finish their open streams.
   */
  async close(deadlineMs: number, idleGraceMs = 0): Promise<void> {
    const closed = closeServer(this.server);
    this.#tls?.close();
    this.#watcher?.close();
    await this.#connections.shutdown(deadlineMs, idleGraceMs);
    await closed;
    this.#stats?.closed();
  }
}
