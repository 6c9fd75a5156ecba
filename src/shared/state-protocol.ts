// What workers ask, report and hear about server-wide state: one typed protocol, whatever carries it (IPC or a direct call).

/** A rate limit's budgets: one token bucket per client address, shared by every worker. */
export interface RateZone {
  /** Stable across workers and reloads: the route and its settings. */
  readonly id: string;
  readonly perSecond: number;
  readonly burst: number;
  /** Most clients remembered; the least recently seen is forgotten beyond that. */
  readonly maxClients: number;
}

/** Failed logins per client address: `maxFailures` within `windowMs` refuse the client for `windowMs`. */
export interface LoginZone {
  readonly id: string;
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** An upstream group's health settings (the state machine of balance/peer-health.ts). */
export interface HealthGroup {
  readonly id: string;
  /** Failures within `failTimeoutMs` that take a peer out (0: passive health off). */
  readonly maxFails: number;
  readonly failTimeoutMs: number;
  /** Consecutive good / bad probes that bring a peer back / take it out. */
  readonly passes: number;
  readonly fails: number;
}

/** One peer's health as every worker must see it. */
export interface PeerHealthState {
  readonly peer: string;
  /** End of a passive time-out (epoch ms; 0 when none runs). */
  readonly downUntil: number;
  /** What the active probes say. */
  readonly probeUp: boolean;
}

/** Questions with an answer, by kind: what is asked and what comes back. */
export interface StateAsks {
  /** Up to `want` tokens of `key`'s bucket; 0 granted comes with the wait for the next one. */
  'rate-take': {
    readonly ask: { readonly zone: RateZone; readonly key: string; readonly want: number };
    readonly reply: { readonly granted: number; readonly retryMs: number };
  };
  /** Every known peer's health in a group (a new worker catches up). */
  'health-state': {
    readonly ask: { readonly group: HealthGroup };
    readonly reply: { readonly peers: readonly PeerHealthState[] };
  };
  /** Clients refused now in a login zone (a new worker catches up). */
  'login-blocks': {
    readonly ask: { readonly zone: LoginZone };
    readonly reply: { readonly blocks: readonly LoginBlock[] };
  };
}

export type AskKind = keyof StateAsks;
export type AskOf<K extends AskKind> = { readonly kind: K } & StateAsks[K]['ask'];
export type ReplyOf<K extends AskKind> = StateAsks[K]['reply'];
export type StateAsk = { [K in AskKind]: AskOf<K> }[AskKind];

/** One-way news from a worker; the server may answer every worker with an event. */
export type StateReport =
  | { readonly kind: 'login-failed'; readonly zone: LoginZone; readonly key: string }
  | { readonly kind: 'peer-failed'; readonly group: HealthGroup; readonly peer: string }
  | { readonly kind: 'peer-ok'; readonly group: HealthGroup; readonly peer: string }
  | {
      readonly kind: 'peer-probe';
      readonly group: HealthGroup;
      readonly peer: string;
      readonly ok: boolean;
      /** "status 200", "connect ECONNREFUSED ...": for the log line of a transition. */
      readonly detail: string;
    };

export interface LoginBlock {
  readonly key: string;
  /** Refused until (epoch ms). */
  readonly until: number;
}

/** From the server to workers. `reporter` is the pid whose report caused it (that one logs it). */
export type StateEvent =
  | ({
      readonly kind: 'login-blocked';
      readonly zone: string;
      readonly reporter: number;
    } & LoginBlock)
  | ({
      readonly kind: 'peer-health';
      readonly group: string;
      readonly reporter: number;
      readonly change: 'down' | 'up';
      /** Passive: "", active: what the probe saw. */
      readonly detail: string;
    } & PeerHealthState)
  /** Sent to one worker: whether it runs the active health checks for the whole server. */
  | { readonly kind: 'checker'; readonly runChecks: boolean };

/** How a worker reaches the server-wide state: a direct call in one process, IPC in a cluster. */
export interface StateTransport {
  /** Who this is, for `reporter` in events. */
  readonly pid: number;
  /** A direct answer in one process; a promise over IPC (rejects on timeout or a closed channel). */
  ask<K extends AskKind>(ask: AskOf<K>): ReplyOf<K> | Promise<ReplyOf<K>>;
  report(report: StateReport): void;
  /** Where events for this process go (one listener: the SharedState). */
  listen(listener: (event: StateEvent) => void): void;
}
