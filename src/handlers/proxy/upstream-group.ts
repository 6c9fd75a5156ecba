// A proxy handler's upstreams: peers (resolved, health-checked), the balancer, and one timer for all connection deadlines.
import type { Balancer } from '../../balance/balancer.js';
import { createBalancer } from '../../balance/create-balancer.js';
import { PeerSet, peerId } from '../../balance/peer-set.js';
import type { Exchange } from '../../http/exchange.js';
import { findHeader } from '../../http/request-head.js';
import { UNCOUNTED } from '../../metrics/upstream-stats.js';
import type { HealthListener, HealthView, PeerHealthUpdate } from '../../shared/shared-state.js';
import type { ConnectionRegistry, PoolSettings } from './client/connection-pool.js';
import type { UpstreamConnection } from './client/upstream-connection.js';
import { UpstreamTls } from './client/upstream-tls.js';
import type { TrustedProxies } from './forwarding.js';
import { HealthChecker } from './health-check.js';
import type { ProxyContext, ProxyOptions } from './options.js';
import { UpstreamPeer } from './upstream-peer.js';

/** Deadlines are checked this often; timeouts are whole seconds, like the engine's. */
const SWEEP_MS = 250;

export class UpstreamGroup implements ConnectionRegistry, HealthListener {
  readonly #options: ProxyOptions;
  readonly #context: ProxyContext;
  readonly #peers: PeerSet<UpstreamPeer>;
  readonly #balancer: Balancer;
  readonly #trusted: TrustedProxies;
  readonly #connections = new Set<UpstreamConnection>();
  readonly #checker: HealthChecker | null;
  /** The server-wide health of these peers: failures and probes go there, changes come back. */
  readonly #health: HealthView;
  #ready = false;
  #sweeper: NodeJS.Timeout | null = null;

  constructor(options: ProxyOptions, context: ProxyContext, trusted: TrustedProxies) {
    this.#options = options;
    this.#context = context;
    this.#trusted = trusted;
    this.#balancer = createBalancer(options.balance);
    const settings: PoolSettings = {
      connectTimeoutMs: options.connectTimeoutMs,
      headerTimeoutMs: options.headerTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      keepAliveMs: options.keepAliveMs,
      maxIdle: options.maxIdlePerUpstream,
      maxHeaderSize: options.maxHeaderSize,
      tls: options.tls === null ? null : new UpstreamTls(options.tls),
    };
    const probes = {
      passes: options.health?.passes ?? 1,
      fails: options.health?.fails ?? 1,
    };
    const stats = context.stats ?? UNCOUNTED;
    this.#peers = new PeerSet<UpstreamPeer>(options.upstreams, {
      create: (spec, address) =>
        new UpstreamPeer(
          spec,
          address,
          settings,
          this,
          options.passive,
          probes,
          stats.upstream(peerId(spec.host, spec.port), peerId(address, spec.port)),
        ),
      resolveIntervalMs: options.resolveIntervalMs,
      logger: context.logger,
      ...(context.resolve === undefined ? {} : { resolve: context.resolve }),
    });
    void this.#peers.ready().then(() => {
      this.#ready = true;
    });
    this.#checker =
      options.health === null
        ? null
        : new HealthChecker(
            options.health,
            () => this.#peers.peers,
            (peer, ok, detail) => {
              this.#health.probed(peer.id, ok, detail);
            },
          );
    const { maxFails, failTimeoutMs } = options.passive;
    this.#health = context.shared.healthView(
      {
        id: `${context.healthGroup} ${maxFails}/${failTimeoutMs} ${probes.passes}/${probes.fails}`,
        maxFails,
        failTimeoutMs,
        ...probes,
      },
      this,
    );
  }

  // ---- HealthListener: the server-wide view ----

  onChecker(run: boolean): void {
    if (run) this.#checker?.start();
    else this.#checker?.stop();
  }

  onPeerHealth(update: PeerHealthUpdate, mine: boolean): void {
    for (const peer of this.#peers.peers) {
      if (peer.id === update.peer) peer.health.apply(update.downUntil, update.probeUp);
    }
    this.#peers.markStale();
    if (!mine || update.change === null) return;
    // The process whose report made the change logs it; the others follow quietly.
    const label = this.#peers.peers.find((peer) => peer.id === update.peer)?.label ?? update.peer;
    const path = this.#options.health?.path ?? '';
    if (update.detail === '') {
      this.#context.logger.warning(
        `Upstream ${label} is down for ${this.#options.passive.failTimeoutMs / 1000} s after ` +
          `${this.#options.passive.maxFails} failure(s)`,
      );
    } else if (update.change === 'down') {
      this.#context.logger.warning(
        `Upstream ${label} is down: health check GET ${path}: ${update.detail}`,
      );
    } else {
      this.#context.logger.info(
        `Upstream ${label} is up again: health check GET ${path}: ${update.detail}`,
      );
    }
  }

  /** Every peer (for tests and health). */
  get peers(): readonly UpstreamPeer[] {
    return this.#peers.peers;
  }

  /** Resolves when the first DNS lookups are done; null when they are (the common case: no await). */
  whenReady(): Promise<void> | null {
    return this.#ready ? null : this.#peers.ready();
  }

  /** Picks an available peer not in `tried`, or null when none is left. */
  pick(exchange: Exchange, tried: readonly UpstreamPeer[] | null): UpstreamPeer | null {
    let available = this.#peers.available(Date.now());
    if (tried !== null) available = available.filter((peer) => !tried.includes(peer));
    if (available.length === 0) return null;
    return this.#balancer.pick(available, this.#keyFor(exchange)) ?? null;
  }

  /** A request to `peer` failed: counted server-wide; the view takes the peer out when due. */
  recordFailure(peer: UpstreamPeer): void {
    if (this.#options.passive.maxFails > 0) this.#health.failed(peer.id);
  }

  /** A request to `peer` succeeded: its failure count starts over. */
  recordSuccess(peer: UpstreamPeer): void {
    this.#health.succeeded(peer.id);
  }

  // ---- ConnectionRegistry: one timer enforces every connection's deadline ----

  add(connection: UpstreamConnection): void {
    this.#connections.add(connection);
    if (this.#sweeper === null) {
      this.#sweeper = setInterval(() => {
        this.#sweep();
      }, SWEEP_MS);
      this.#sweeper.unref();
    }
  }

  delete(connection: UpstreamConnection): void {
    this.#connections.delete(connection);
  }

  #sweep(): void {
    if (this.#connections.size === 0) {
      if (this.#sweeper !== null) clearInterval(this.#sweeper);
      this.#sweeper = null;
      return;
    }
    const now = Date.now();
    for (const connection of this.#connections) connection.checkDeadline(now);
  }

  #keyFor(exchange: Exchange): string {
    switch (this.#options.balance) {
      case 'ip-hash':
        return this.#trusted.clientAddress(
          exchange.remoteAddress,
          findHeader(exchange.request.headers, 'x-forwarded-for'),
        );
      case 'header-hash':
        return (
          findHeader(exchange.request.headers, this.#options.hashHeader) ?? exchange.remoteAddress
        );
      default:
        return '';
    }
  }

  close(): void {
    this.#checker?.stop();
    this.#health.close();
    this.#peers.close();
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    // In-flight exchanges had the shutdown time to finish; what is left is cut.
    for (const connection of this.#connections) connection.destroy();
  }
}
