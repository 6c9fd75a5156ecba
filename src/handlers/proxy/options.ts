// The proxy handler's options (validated and resolved from config) and what it needs from its surroundings.
import type { BalanceName } from '../../balance/balancer.js';
import type { PassiveHealthOptions } from '../../balance/peer-health.js';
import type { PeerSpec } from '../../balance/peer-set.js';
import type { UpstreamStatsSource } from '../../metrics/upstream-stats.js';
import type { SharedState } from '../../shared/shared-state.js';
import type { UpstreamTlsOptions } from './client/upstream-tls.js';

/** How the Host field sent upstream is chosen. */
export type HostHeaderPolicy =
  | { readonly kind: 'preserve' }
  | { readonly kind: 'upstream' }
  | { readonly kind: 'fixed'; readonly value: string };

export interface ActiveHealthCheckOptions {
  /** Path (and query) requested with GET. */
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive good probes that bring a peer back, and bad ones that take it out. */
  readonly passes: number;
  readonly fails: number;
  /** Lowest and highest status counted as healthy. */
  readonly statusMin: number;
  readonly statusMax: number;
}

export interface ProxyOptions {
  /** The upstreams: host (IP or DNS name), port, weight. */
  readonly upstreams: readonly PeerSpec[];
  /** https:// upstreams: how their certificates are checked; null for http:// ones. */
  readonly tls: UpstreamTlsOptions | null;
  /** A path every upstream URL shares ("" or "/base"), put before the request path. */
  readonly basePath: string;
  readonly balance: BalanceName;
  /** For header-hash: the field whose value picks the upstream (lower case). */
  readonly hashHeader: string;
  /** A prefix removed from the request path before it goes upstream ("" for none). */
  readonly stripPrefix: string;
  readonly hostHeader: HostHeaderPolicy;
  /** Peers whose forwarding fields we keep (IPs, CIDRs, "private_ranges"). */
  readonly trustedProxies: readonly string[];
  /** Add X-Forwarded-For/-Proto/-Host and Forwarded. */
  readonly forwardedHeaders: boolean;
  /** The pseudonym in the Via field we add (RFC 9110 §7.6.3), or "" for no Via. */
  readonly via: string;
  /** Forward request field names with "_" (dropped by default, as nginx does). */
  readonly underscoresInHeaders: boolean;
  readonly connectTimeoutMs: number;
  /** From the request sent to the response head. */
  readonly headerTimeoutMs: number;
  /** No byte either way for this long, mid-exchange. */
  readonly idleTimeoutMs: number;
  /** How long an idle upstream connection is kept for reuse. */
  readonly keepAliveMs: number;
  readonly maxIdlePerUpstream: number;
  readonly maxHeaderSize: number;
  /** A WebSocket or other upgraded connection with no traffic for this long is closed (0 = never). */
  readonly tunnelIdleTimeoutMs: number;
  /** More attempts on other upstreams after a failure, when safe. */
  readonly retries: number;
  /** Request bodies up to this size are kept so a retry can send them again. */
  readonly retryBodyLimit: number;
  readonly passive: PassiveHealthOptions;
  readonly health: ActiveHealthCheckOptions | null;
  /** How often DNS names are looked up again (0 = once). */
  readonly resolveIntervalMs: number;
}

/** The logging the proxy needs (structural: log/ builds the real one). */
export interface ProxyLogger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  readonly debugEnabled: boolean;
}

export interface ProxyContext {
  readonly logger: ProxyLogger;
  /** Where upstream health is kept for the whole server (the primary's view in a cluster). */
  readonly shared: SharedState;
  /** Names this handler's upstreams in that view: the same in every worker. */
  readonly healthGroup: string;
  /** Replaces the system resolver (tests). */
  readonly resolve?: (host: string) => Promise<string[]>;
  /** The route's counters (metrics), asked once per upstream address; none: not counted. */
  readonly stats?: UpstreamStatsSource | undefined;
}
