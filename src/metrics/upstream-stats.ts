// Counters of one upstream address of a proxy route, bumped on the request path; its gauges are read
// from the peers that stand for it when scraped.
import {
  UPSTREAM_FAILURE_KINDS,
  UPSTREAM_FAILURES,
  UPSTREAM_HEALTHY,
  UPSTREAM_IN_FLIGHT,
  UPSTREAM_REQUESTS,
  UPSTREAM_RETRIES,
} from './catalogue.js';
import type { Labels, Series } from './snapshot.js';

/** Slots of UpstreamStats.failures, in UPSTREAM_FAILURE_KINDS order. */
export const enum UpstreamFailureSlot {
  Connect,
  ConnectTimeout,
  Tls,
  HeaderTimeout,
  IdleTimeout,
  Reset,
  BadResponse,
  /** A reused keep-alive connection the upstream had closed: retried at once, not held against it. */
  Stale,
}

/** What a live peer tells at scrape time (the proxy's UpstreamPeer). */
export interface LivePeer {
  /** Requests and tunnels in flight to it now. */
  readonly active: number;
  /** Up in this process's view of the server-wide health. */
  isUp(now: number): boolean;
}

export class UpstreamStats {
  /** site, host, route, upstream (as configured) and address (resolved): built once per peer. */
  readonly labels: Labels;
  requests = 0;
  retries = 0;
  readonly failures = new Float64Array(UPSTREAM_FAILURE_KINDS.length);
  /** The peers standing for this address now: one, or two while a reload's old handler drains. */
  readonly #live = new Set<LivePeer>();

  constructor(labels: Labels) {
    this.labels = labels;
  }

  failed(slot: UpstreamFailureSlot): void {
    this.failures[slot] = (this.failures[slot] as number) + 1;
  }

  attach(peer: LivePeer): void {
    this.#live.add(peer);
  }

  /** The peer left (its handler was released, or its name no longer resolves to it). */
  detach(peer: LivePeer): void {
    this.#live.delete(peer);
  }

  addSeries(out: Series[], now: number): void {
    let newest: LivePeer | null = null;
    let inFlight = 0;
    for (const peer of this.#live) {
      inFlight += peer.active;
      newest = peer;
    }
    // A plan built but never served (a reload that failed) leaves counters nobody used: no series.
    if (newest === null && this.requests === 0) return;
    const labels = this.labels;
    out.push({ name: UPSTREAM_REQUESTS.name, labels, value: this.requests });
    out.push({ name: UPSTREAM_RETRIES.name, labels, value: this.retries });
    for (let i = 0; i < this.failures.length; i++) {
      const count = this.failures[i] as number;
      if (count === 0) continue;
      const kind = UPSTREAM_FAILURE_KINDS[i] as string;
      out.push({ name: UPSTREAM_FAILURES.name, labels: { ...labels, kind }, value: count });
    }
    // Gauges only while some handler uses the address: a removed upstream keeps its counters.
    if (newest === null) return;
    out.push({ name: UPSTREAM_IN_FLIGHT.name, labels, value: inFlight });
    out.push({ name: UPSTREAM_HEALTHY.name, labels, value: newest.isUp(now) ? 1 : 0 });
  }
}

/** Where a proxy route's peers get their counters: the same object again after a reload. */
export interface UpstreamStatsSource {
  upstream(name: string, address: string): UpstreamStats;
}

/** For handlers built without metrics (a checked plan, or a server without `admin:`): counts into nothing kept. */
export const UNCOUNTED: UpstreamStatsSource = {
  upstream: (upstream, address) => new UpstreamStats({ upstream, address }),
};
