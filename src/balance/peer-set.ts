// The peers of one upstream group: configured hosts resolved to addresses (re-resolved on a timer), and which are available now.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { formatHostPort } from '../net/listen-address.js';
import type { BalanceTarget } from './balancer.js';
import type { PeerHealth } from './peer-health.js';

/** One configured target: a host (IP or DNS name), a port and a weight. */
export interface PeerSpec {
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** As the user wrote it, for logs: "app:3000", "http://10.0.0.2:8080". */
  readonly label: string;
}

/** What the set needs of a peer; the proxy and forward each build their own kind. */
export interface Peer extends BalanceTarget {
  readonly spec: PeerSpec;
  /** The resolved IP address connections go to. */
  readonly address: string;
  readonly port: number;
  readonly health: PeerHealth;
  /** The peer left the set (its name no longer resolves to it): release idle connections. */
  retire(): void;
}

export interface PeerSetLogger {
  info(message: string): void;
  warning(message: string): void;
}

export interface PeerSetOptions<P extends Peer> {
  /** Builds the peer for one resolved address of a spec. */
  readonly create: (spec: PeerSpec, address: string) => P;
  /** How often DNS names are looked up again; 0 = only once. */
  readonly resolveIntervalMs: number;
  readonly logger: PeerSetLogger;
  /** Replaces the system resolver (tests). */
  readonly resolve?: (host: string) => Promise<string[]>;
}

/** getaddrinfo through Node (so /etc/hosts and Docker's embedded DNS both work), every address. */
async function resolveAll(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

export class PeerSet<P extends Peer> {
  readonly #specs: readonly PeerSpec[];
  readonly #options: PeerSetOptions<P>;
  readonly #resolve: (host: string) => Promise<string[]>;
  /** Addresses per spec, in spec order; replaced whole, never edited, so a reader sees one version. */
  #bySpec: (readonly P[])[];
  #peers: readonly P[] = [];
  #available: readonly P[] = [];
  /** The available list is valid until this time (a passive time-out ends) or a change marks it stale. */
  #availableUntil = 0;
  #stale = true;
  #ready: Promise<void>;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(specs: readonly PeerSpec[], options: PeerSetOptions<P>) {
    this.#specs = specs;
    this.#options = options;
    this.#resolve = options.resolve ?? resolveAll;
    // IP literals need no lookup: those peers exist from the start.
    this.#bySpec = specs.map((spec) =>
      isIP(spec.host) === 0 ? [] : [options.create(spec, spec.host)],
    );
    this.#rebuild();
    const named = specs.some((spec) => isIP(spec.host) === 0);
    this.#ready = named ? this.refresh() : Promise.resolve();
    if (named && options.resolveIntervalMs > 0) {
      this.#timer = setInterval(() => {
        void this.refresh();
      }, options.resolveIntervalMs);
      this.#timer.unref();
    }
  }

  /** Every peer, available or not (health checks probe them all). */
  get peers(): readonly P[] {
    return this.#peers;
  }

  /** Resolves once every name has been looked up the first time (at once when there are none). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** The peers usable now, in config order; the same array until something changes. */
  available(now: number): readonly P[] {
    if (this.#stale || now >= this.#availableUntil) {
      let until = Infinity;
      const out: P[] = [];
      for (const peer of this.#peers) {
        if (peer.health.isAvailable(now)) out.push(peer);
        else if (peer.health.downUntil > now) until = Math.min(until, peer.health.downUntil);
      }
      this.#available = out;
      this.#availableUntil = until;
      this.#stale = false;
    }
    return this.#available;
  }

  /** A peer's health changed: recompute the available list on the next request. */
  markStale(): void {
    this.#stale = true;
  }

  /** Looks every name up again and swaps in the new peers; a failed lookup keeps the old ones. */
  async refresh(): Promise<void> {
    const next = await Promise.all(
      this.#specs.map(async (spec, index) => {
        const current = this.#bySpec[index] ?? [];
        if (isIP(spec.host) !== 0) return current;
        let addresses: string[];
        try {
          addresses = [...new Set(await this.#resolve(spec.host))];
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          this.#options.logger.warning(
            `Upstream ${spec.label}: cannot resolve "${spec.host}" (${reason}); keeping ${current.length} known address(es)`,
          );
          return current;
        }
        const kept: P[] = [];
        for (const address of addresses) {
          kept.push(
            current.find((p) => p.address === address) ?? this.#options.create(spec, address),
          );
        }
        const before = current.map((p) => p.address).join(', ');
        const after = kept.map((p) => p.address).join(', ');
        if (before !== after) {
          this.#options.logger.info(
            `Upstream ${spec.label}: "${spec.host}" resolves to ${after === '' ? 'nothing' : after}` +
              (before === '' ? '' : ` (was ${before})`),
          );
        }
        for (const peer of current) if (!kept.includes(peer)) peer.retire();
        return kept;
      }),
    );
    if (this.#closed) {
      for (const list of next) for (const peer of list) peer.retire();
      return;
    }
    this.#bySpec = next;
    this.#rebuild();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const peer of this.#peers) peer.retire();
  }

  #rebuild(): void {
    this.#peers = this.#bySpec.flat();
    this.#stale = true;
  }
}

/** "10.0.0.2:80" / "[::1]:80": the id balancers hash and logs print. */
export function peerId(address: string, port: number): string {
  return formatHostPort(address, port);
}
