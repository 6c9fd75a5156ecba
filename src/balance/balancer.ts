// The one interface every load-balancing strategy implements: pick a target for a key.

/** What a strategy needs to know about a target (an upstream peer or a forward target). */
export interface BalanceTarget {
  /** Stable identity across picks, e.g. "10.0.0.2:80": hashing and per-target state use it. */
  readonly id: string;
  /** Relative share of the traffic, > 0. */
  readonly weight: number;
  /** Requests or connections in flight to it now (least-conn reads it). */
  readonly active: number;
}

/** A strategy: built once per upstream group, called once per request or connection. */
export interface Balancer {
  /**
   * Picks one of `targets` (the ones available now, in config order) for `key` (the client
   * address, or a header value for header-hash); undefined only when `targets` is empty.
   */
  pick<T extends BalanceTarget>(targets: readonly T[], key: string): T | undefined;
}

/** The strategies, by their config name. */
export const BALANCE_NAMES = [
  'round-robin',
  'weighted',
  'least-conn',
  'ip-hash',
  'header-hash',
  'random',
  'first',
] as const;

export type BalanceName = (typeof BALANCE_NAMES)[number];
