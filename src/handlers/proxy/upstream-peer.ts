// One upstream address: its weight, in-flight count, health and keep-alive pool (what a balancer picks from).
import {
  type ActiveHealthOptions,
  type PassiveHealthOptions,
  PeerHealth,
} from '../../balance/peer-health.js';
import { type Peer, type PeerSpec, peerId } from '../../balance/peer-set.js';
import type { LivePeer, UpstreamStats } from '../../metrics/upstream-stats.js';
import {
  ConnectionPool,
  type ConnectionRegistry,
  type PoolSettings,
} from './client/connection-pool.js';

export class UpstreamPeer implements Peer, LivePeer {
  readonly id: string;
  readonly spec: PeerSpec;
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly health: PeerHealth;
  readonly pool: ConnectionPool;
  /** "host:port" for the Host field when host_header is "upstream": the name as configured. */
  readonly hostField: string;
  /** Requests and tunnels in flight (least-conn and the in-flight gauge read it). */
  active = 0;
  /** Attempts, failures and retries (metrics), bumped by the proxy calls. */
  readonly stats: UpstreamStats;

  constructor(
    spec: PeerSpec,
    address: string,
    settings: PoolSettings,
    registry: ConnectionRegistry,
    passive: PassiveHealthOptions,
    probes: ActiveHealthOptions,
    stats: UpstreamStats,
  ) {
    this.spec = spec;
    this.address = address;
    this.port = spec.port;
    this.weight = spec.weight;
    this.id = peerId(address, spec.port);
    this.health = new PeerHealth(passive, probes);
    this.pool = new ConnectionPool(address, spec.port, settings, registry, spec.host);
    const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
    // RFC 9110 §7.2: the port is left out when it is the scheme's default.
    const defaultPort = settings.tls === null ? 80 : 443;
    this.hostField = spec.port === defaultPort ? host : `${host}:${spec.port}`;
    this.stats = stats;
    stats.attach(this);
  }

  isUp(now: number): boolean {
    return this.health.isAvailable(now);
  }

  /** For logs: "127.0.0.1:3000", or "app:3000 (10.0.0.7:3000)" for a name. */
  get label(): string {
    const named = peerId(this.spec.host, this.port);
    return named === this.id ? this.id : `${named} (${this.id})`;
  }

  retire(): void {
    this.stats.detach(this);
    this.pool.closeIdle(true);
  }
}
