// The options of one forward listener, resolved from config, and the logger it writes to.
import type { BalanceName } from '../balance/balancer.js';
import type { PassiveHealthOptions } from '../balance/peer-health.js';
import type { PeerSpec } from '../balance/peer-set.js';
import type { LoadedCertificate } from '../net/tls-certificate.js';

export interface ForwardOptions {
  readonly protocol: 'tcp' | 'udp';
  readonly targets: readonly PeerSpec[];
  readonly balance: BalanceName;
  /** TCP: time to connect to a target before trying the next one. */
  readonly connectTimeoutMs: number;
  /** TCP: no byte either way for this long closes both sides; UDP: a session this quiet ends. 0 = never. */
  readonly idleTimeoutMs: number;
  /** Open connections (TCP) or sessions (UDP) at once; more are refused (TCP) or dropped (UDP). */
  readonly maxConnections: number;
  /** PROXY protocol header sent to the target first (TCP only): 0 = none, 1 = text v1, 2 = binary v2. */
  readonly proxyProtocol: 0 | 1 | 2;
  /** Further targets tried when a connect fails. */
  readonly retries: number;
  readonly passive: PassiveHealthOptions;
  readonly resolveIntervalMs: number;
  /** Log one info line per closed connection or session. */
  readonly logConnections: boolean;
  /** On close: how long open connections may go on before they are cut. */
  readonly shutdownMs: number;
  /** TCP: TLS terminated on the listener (cleartext to the targets), or null. */
  readonly tls: {
    readonly certificate: LoadedCertificate;
    /** From accept to a finished handshake. */
    readonly handshakeTimeoutMs: number;
  } | null;
}

export interface ForwardLogger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  readonly debugEnabled: boolean;
}
