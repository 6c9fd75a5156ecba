// The owner of server-wide state (the cluster primary, or the process itself): answers asks, turns reports into events.
import { HealthChange, PeerHealth } from '../balance/peer-health.js';
import { LoginFailures } from './login-failures.js';
import type {
  AskKind,
  AskOf,
  HealthGroup,
  LoginZone,
  PeerHealthState,
  RateZone,
  ReplyOf,
  StateEvent,
  StateReport,
} from './state-protocol.js';
import { TokenBuckets } from './token-buckets.js';

/**
 * Stores are created on first use from the settings in the message, keyed by their id (which
 * holds the settings too), so a reload that changes a limit starts a fresh store.
 */
export class StateServer {
  readonly #buckets = new Map<string, TokenBuckets>();
  readonly #logins = new Map<string, LoginFailures>();
  readonly #health = new Map<string, Map<string, PeerHealth>>();

  bucketsFor(zone: RateZone): TokenBuckets {
    let buckets = this.#buckets.get(zone.id);
    if (buckets === undefined) {
      buckets = new TokenBuckets(zone.perSecond, zone.burst, zone.maxClients);
      this.#buckets.set(zone.id, buckets);
    }
    return buckets;
  }

  ask<K extends AskKind>(ask: AskOf<K>, now: number): ReplyOf<K>;
  ask(ask: AskOf<AskKind>, now: number): ReplyOf<AskKind> {
    switch (ask.kind) {
      case 'rate-take': {
        const { zone, key, want } = ask as AskOf<'rate-take'>;
        const buckets = this.bucketsFor(zone);
        const granted = buckets.take(key, want, now);
        return { granted, retryMs: granted === 0 ? buckets.waitMs(key) : 0 };
      }
      case 'health-state': {
        const peers: PeerHealthState[] = [];
        for (const [peer, health] of this.#groupOf((ask as AskOf<'health-state'>).group)) {
          peers.push({ peer, downUntil: health.downUntil, probeUp: health.probeUp });
        }
        return { peers };
      }
      case 'login-blocks':
        return { blocks: this.#loginsOf((ask as AskOf<'login-blocks'>).zone).blocks(now) };
    }
  }

  /** Applies a worker's report; returns the event every worker must hear, or null. */
  report(report: StateReport, reporter: number, now: number): StateEvent | null {
    switch (report.kind) {
      case 'login-failed': {
        const until = this.#loginsOf(report.zone).record(report.key, now);
        if (until === 0) return null;
        return { kind: 'login-blocked', zone: report.zone.id, key: report.key, until, reporter };
      }
      case 'peer-ok':
        this.#peerOf(report.group, report.peer).recordSuccess();
        return null;
      case 'peer-failed':
      case 'peer-probe': {
        const health = this.#peerOf(report.group, report.peer);
        const probe = report.kind === 'peer-probe';
        const change = probe ? health.recordProbe(report.ok) : health.recordFailure(now);
        if (change === HealthChange.None) return null;
        return {
          kind: 'peer-health',
          group: report.group.id,
          peer: report.peer,
          downUntil: health.downUntil,
          probeUp: health.probeUp,
          change: change === HealthChange.Down ? 'down' : 'up',
          detail: probe ? report.detail : '',
          reporter,
        };
      }
    }
  }

  #loginsOf(zone: LoginZone): LoginFailures {
    let logins = this.#logins.get(zone.id);
    if (logins === undefined) {
      logins = new LoginFailures(zone.maxFailures, zone.windowMs);
      this.#logins.set(zone.id, logins);
    }
    return logins;
  }

  #groupOf(group: HealthGroup): Map<string, PeerHealth> {
    let peers = this.#health.get(group.id);
    if (peers === undefined) {
      peers = new Map();
      this.#health.set(group.id, peers);
    }
    return peers;
  }

  #peerOf(group: HealthGroup, peer: string): PeerHealth {
    const peers = this.#groupOf(group);
    let health = peers.get(peer);
    if (health === undefined) {
      health = new PeerHealth(
        { maxFails: group.maxFails, failTimeoutMs: group.failTimeoutMs },
        { passes: group.passes, fails: group.fails },
      );
      peers.set(peer, health);
    }
    return health;
  }
}
