// What handlers use for server-wide state: rate limits, failed logins, upstream health; local or over a transport.
import {
  LeasedRateLimiter,
  LocalRateLimiter,
  type RateDecision,
  type RateLimiter,
} from './leased-rate-limiter.js';
import type {
  AskKind,
  AskOf,
  HealthGroup,
  LoginBlock,
  LoginZone,
  PeerHealthState,
  RateZone,
  ReplyOf,
  StateEvent,
  StateReport,
  StateTransport,
} from './state-protocol.js';
import { StateServer } from './state-server.js';

export type { RateDecision, RateLimiter };
export type { HealthGroup, LoginZone, PeerHealthState, RateZone, StateTransport };

/** Failed logins per client address, counted for the whole server. */
export interface LoginGuard {
  /** ms the client is still refused for; 0 when it may try. Never waits. */
  refusedMs(key: string, now: number): number;
  /** A failed login from `key` (reported; a refusal comes back as an event). */
  failed(key: string): void;
}

/** The server-wide view of one peer, as it changed (change null: caught up on joining). */
export interface PeerHealthUpdate extends PeerHealthState {
  readonly change: 'down' | 'up' | null;
  readonly detail: string;
}

export interface HealthListener {
  /** `mine`: this process's report caused the change (it logs it, the others stay quiet). */
  onPeerHealth(update: PeerHealthUpdate, mine: boolean): void;
  /** Whether this process runs the active health checks (one process per server does). */
  onChecker(run: boolean): void;
}

/** An upstream group's line to the server-wide health view. */
export interface HealthView {
  failed(peer: string): void;
  /** Reported only after a failure this process reported: success is the common case. */
  succeeded(peer: string): void;
  probed(peer: string, ok: boolean, detail: string): void;
  close(): void;
}

export interface SharedState {
  rateLimiter(zone: RateZone): RateLimiter;
  /**
   * `onRefused` is told when this process's report got a client refused (to log it once); the
   * zone's latest guard's is kept (a reload replaces it).
   */
  loginGuard(zone: LoginZone, onRefused: (block: LoginBlock) => void): LoginGuard;
  healthView(group: HealthGroup, listener: HealthListener): HealthView;
}

export interface SharedStateOptions {
  /** Told (at most once a minute) when the state owner did not answer and a local decision was made. */
  readonly warn: (message: string) => void;
  /** False: never run active health checks (a plan only checked, never served). */
  readonly runChecks?: boolean;
}

/** The server-wide state inside this process: no IPC, every call direct. */
export function createLocalSharedState(options: SharedStateOptions): SharedState {
  const server = new StateServer();
  return new SharedStateClient(new LocalTransport(server), server, {
    ...options,
    runChecks: options.runChecks ?? true,
  });
}

/** The server-wide state kept by another process (the cluster primary) behind `transport`. */
export function createRemoteSharedState(
  transport: StateTransport,
  options: SharedStateOptions,
): SharedState {
  return new SharedStateClient(transport, null, { ...options, runChecks: false });
}

class LocalTransport implements StateTransport {
  readonly pid = process.pid;
  readonly #server: StateServer;
  #listener: (event: StateEvent) => void = () => undefined;

  constructor(server: StateServer) {
    this.#server = server;
  }

  ask<K extends AskKind>(ask: AskOf<K>): ReplyOf<K> {
    return this.#server.ask(ask, Date.now());
  }

  report(report: StateReport): void {
    const event = this.#server.report(report, this.pid, Date.now());
    if (event !== null) this.#listener(event);
  }

  listen(listener: (event: StateEvent) => void): void {
    this.#listener = listener;
  }
}

const WARN_EVERY_MS = 60_000;

class SharedStateClient implements SharedState {
  readonly #transport: StateTransport;
  readonly #server: StateServer | null;
  readonly #options: SharedStateOptions;
  /** Refused clients per login zone, shared by the guards of that zone. */
  readonly #refused = new Map<string, Map<string, number>>();
  readonly #onRefused = new Map<string, (block: LoginBlock) => void>();
  readonly #health = new Map<string, Set<HealthListener>>();
  #runChecks: boolean;
  #warnedAt = -WARN_EVERY_MS;

  constructor(transport: StateTransport, server: StateServer | null, options: SharedStateOptions) {
    this.#transport = transport;
    this.#server = server;
    this.#options = options;
    this.#runChecks = options.runChecks === true;
    transport.listen((event) => {
      this.#onEvent(event);
    });
  }

  rateLimiter(zone: RateZone): RateLimiter {
    if (this.#server !== null) return new LocalRateLimiter(this.#server.bucketsFor(zone));
    return new LeasedRateLimiter(zone, this.#transport, (error) => {
      this.#warnSometimes(`Rate limit decided in this worker alone: ${String(error)}`);
    });
  }

  loginGuard(zone: LoginZone, onRefused: (block: LoginBlock) => void): LoginGuard {
    let refused = this.#refused.get(zone.id);
    if (refused === undefined) {
      refused = new Map();
      this.#refused.set(zone.id, refused);
      this.#catchUp({ kind: 'login-blocks', zone }, (reply) => {
        for (const block of reply.blocks) refused?.set(block.key, block.until);
      });
    }
    this.#onRefused.set(zone.id, onRefused);
    return new Guard(zone, refused, this.#transport);
  }

  healthView(group: HealthGroup, listener: HealthListener): HealthView {
    const listeners = this.#health.get(group.id) ?? new Set<HealthListener>();
    this.#health.set(group.id, listeners);
    listeners.add(listener);
    listener.onChecker(this.#runChecks);
    this.#catchUp({ kind: 'health-state', group }, (reply) => {
      for (const state of reply.peers) {
        listener.onPeerHealth({ ...state, change: null, detail: '' }, false);
      }
    });
    return new View(group, this.#transport, () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#health.delete(group.id);
    });
  }

  /** Asks for the current state once (a process that joins late); a failure only leaves it empty. */
  #catchUp<K extends AskKind>(ask: AskOf<K>, apply: (reply: ReplyOf<K>) => void): void {
    if (this.#server !== null) return; // the store is here: nothing to catch up with
    void Promise.resolve(this.#transport.ask(ask)).then(apply, (error: unknown) => {
      this.#warnSometimes(`Could not read the server-wide state: ${String(error)}`);
    });
  }

  #onEvent(event: StateEvent): void {
    const mine = 'reporter' in event && event.reporter === this.#transport.pid;
    switch (event.kind) {
      case 'login-blocked': {
        this.#refused.get(event.zone)?.set(event.key, event.until);
        if (mine) this.#onRefused.get(event.zone)?.(event);
        return;
      }
      case 'peer-health': {
        const listeners = this.#health.get(event.group);
        if (listeners === undefined) return;
        const update: PeerHealthUpdate = event;
        // Several plans (a reload in progress) may hold the group: only one logs.
        let log = mine;
        for (const listener of listeners) {
          listener.onPeerHealth(update, log);
          log = false;
        }
        return;
      }
      case 'checker':
        if (event.runChecks === this.#runChecks) return;
        this.#runChecks = event.runChecks;
        for (const listeners of this.#health.values()) {
          for (const listener of listeners) listener.onChecker(event.runChecks);
        }
        return;
    }
  }

  #warnSometimes(message: string): void {
    const now = Date.now();
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    this.#options.warn(message);
  }
}

class Guard implements LoginGuard {
  readonly #zone: LoginZone;
  readonly #refused: Map<string, number>;
  readonly #transport: StateTransport;

  constructor(zone: LoginZone, refused: Map<string, number>, transport: StateTransport) {
    this.#zone = zone;
    this.#refused = refused;
    this.#transport = transport;
  }

  refusedMs(key: string, now: number): number {
    const refused = this.#refused;
    if (refused.size === 0) return 0;
    const until = refused.get(key);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    refused.delete(key);
    return 0;
  }

  failed(key: string): void {
    this.#transport.report({ kind: 'login-failed', zone: this.#zone, key });
  }
}

class View implements HealthView {
  readonly #group: HealthGroup;
  readonly #transport: StateTransport;
  readonly #release: () => void;
  /** Peers with a failure reported since their last reported success. */
  readonly #failing = new Set<string>();

  constructor(group: HealthGroup, transport: StateTransport, release: () => void) {
    this.#group = group;
    this.#transport = transport;
    this.#release = release;
  }

  failed(peer: string): void {
    this.#failing.add(peer);
    this.#transport.report({ kind: 'peer-failed', group: this.#group, peer });
  }

  succeeded(peer: string): void {
    if (this.#failing.size === 0 || !this.#failing.delete(peer)) return;
    this.#transport.report({ kind: 'peer-ok', group: this.#group, peer });
  }

  probed(peer: string, ok: boolean, detail: string): void {
    this.#transport.report({ kind: 'peer-probe', group: this.#group, peer, ok, detail });
  }

  close(): void {
    this.#release();
  }
}
