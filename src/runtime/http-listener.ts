// One HTTP listener: a bound socket (cleartext or TLS), the protocol engines on it and the dispatcher whose router reloads swap.
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HttpListenerPlan, TlsListenerPlan } from '../config/build-plan.js';
import { Dispatcher } from '../http/dispatcher.js';
import { Router } from '../http/router.js';
import { Http1Server } from '../http1/http1-server.js';
import type { AccessLog } from '../log/access-log.js';
import type { Logger } from '../log/logger.js';
import { formatHostPort, formatUrl } from '../net/listen-address.js';
import { closeServer, listen } from '../net/listener.js';
import type { TicketKeys } from '../net/ticket-keys.js';
import { TlsAcceptor, type TlsAcceptorOptions } from '../net/tls-acceptor.js';
import { CertificateWatcher } from '../net/certificate-watcher.js';
import { loadCertificate } from '../net/tls-certificate.js';

/**
 * Who serves a TLS connection whose ALPN chose 'h2'. Until src/http2/ lands this is never
 * reached (ALPN offers h2 only when the plan's `http2` is on); the HTTP/2 engine replaces it.
 */
export type SecureProtocolHook = (socket: TLSSocket, listener: HttpListener) => void;

/** The ALPN list a TLS listener offers, best first. */
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

export class HttpListener {
  readonly key: string;
  readonly server: Server;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly #engine: Http1Server;
  readonly #dispatcher: Dispatcher;
  readonly #tls: TlsAcceptor | null;
  #tlsPlan: TlsListenerPlan | null;
  #watcher: CertificateWatcher | null = null;
  readonly #logger: Logger;

  private constructor(
    key: string,
    server: Server,
    engine: Http1Server,
    dispatcher: Dispatcher,
    tls: TlsAcceptor | null,
    tlsPlan: TlsListenerPlan | null,
    logger: Logger,
  ) {
    this.key = key;
    this.server = server;
    this.#engine = engine;
    this.#dispatcher = dispatcher;
    this.#tls = tls;
    this.#tlsPlan = tlsPlan;
    this.#logger = logger;
    const bound = server.address() as AddressInfo;
    this.host = bound.address;
    this.port = bound.port;
    this.url = formatUrl(tls === null ? 'http' : 'https', bound.address, bound.port);
  }

  /** The HTTP/1.1 engine's entry, for protocol hooks that fall back to it. */
  acceptHttp1(socket: Socket): void {
    this.#engine.accept(socket);
  }

  /** Binds the plan's address and serves it; TLS connections go to the engine their ALPN chose. */
  static async open(
    plan: HttpListenerPlan,
    logger: Logger,
    access: AccessLog | null,
    keys: TicketKeys,
    h2: SecureProtocolHook = fallBackToHttp1,
  ): Promise<HttpListener> {
    const dispatcher = new Dispatcher(new Router(plan.sites), plan.limits, plan.timeouts, {
      error: (message) => {
        logger.error(message);
      },
      debugEnabled: logger.debugEnabled,
      debug: (message) => {
        logger.debug(message);
      },
      access,
    });
    const engine = new Http1Server(dispatcher);
    // Set once the listener exists: the acceptor's callbacks only run after a bind.
    let self: HttpListener | null = null;
    const tls =
      plan.tls === null
        ? null
        : new TlsAcceptor(
            tlsAcceptorOptions(plan.tls),
            keys,
            (socket) => {
              if (socket.alpnProtocol === 'h2' && self !== null) h2(socket, self);
              else engine.accept(socket);
            },
            logger.debugEnabled
              ? (error, socket) => {
                  logger.debug(
                    `TLS handshake from ${socket.remoteAddress ?? '?'} failed: ${error.message}`,
                  );
                }
              : undefined,
          );
    const serve =
      tls === null
        ? (socket: Socket) => {
            engine.accept(socket);
          }
        : (socket: Socket) => {
            tls.accept(socket);
          };
    const onConnection = logger.debugEnabled
      ? (socket: Socket) => {
          logger.debug(
            `Connection from ${formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0)}`,
          );
          serve(socket);
        }
      : serve;
    let server: Server;
    try {
      server = await listen(plan.address, onConnection, {
        maxConnections: plan.maxConnections,
        onError: (error) => {
          logger.error(`Listener ${plan.address.text}: ${String(error)}`);
        },
      });
    } catch (error) {
      tls?.close();
      throw error;
    }
    self = new HttpListener(plan.key, server, engine, dispatcher, tls, plan.tls, logger);
    self.#watchCertificates();
    return self;
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

  /** New certificates for the next handshakes; throws (keeping the old ones) on a bad one. */
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
    this.#watcher = new CertificateWatcher(paths, () => {
      this.#reloadCertificates(plan);
    });
  }

  #reloadCertificates(plan: TlsListenerPlan): void {
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
    this.#dispatcher.update(new Router(plan.sites), plan.limits, plan.timeouts, access);
    this.server.maxConnections = plan.maxConnections;
  }

  /** Stops accepting, finishes in-flight requests (up to the deadline), closes idle connections. */
  async close(deadlineMs: number, idleGraceMs = 0): Promise<void> {
    const closed = closeServer(this.server);
    this.#tls?.close();
    this.#watcher?.close();
    await this.#engine.shutdown(deadlineMs, idleGraceMs);
    await closed;
  }
}

function fallBackToHttp1(socket: TLSSocket, listener: HttpListener): void {
  listener.acceptHttp1(socket);
}
