// Why an upstream exchange failed, and what that means for the client (502 vs 504) and for retrying.
import { UpstreamFailureSlot } from '../../../metrics/upstream-stats.js';

export type FailureKind =
  /** The TCP connection could not be made (refused, unreachable, reset during connect). */
  | 'connect'
  | 'connect-timeout'
  /** TCP connected but the TLS handshake failed (a refused certificate, no common version): nothing was sent. */
  | 'tls'
  /** Connected and sent, but no response head in time. */
  | 'header-timeout'
  /** Nothing moved (request body written or response body read) for too long. */
  | 'idle-timeout'
  /** The upstream closed or reset the connection before the response was complete. */
  | 'closed'
  /** The response was not valid HTTP/1.1. */
  | 'protocol';

export class UpstreamFailure extends Error {
  readonly kind: FailureKind;
  /** Bytes of the response had arrived (a response was under way: never retried). */
  readonly responseStarted: boolean;
  /** The connection had carried earlier exchanges (a stale keep-alive socket is the usual cause). */
  readonly reused: boolean;

  constructor(kind: FailureKind, message: string, responseStarted: boolean, reused: boolean) {
    super(message);
    this.name = 'UpstreamFailure';
    this.kind = kind;
    this.responseStarted = responseStarted;
    this.reused = reused;
  }

  /** RFC 9110 §15.6.5: a timeout is 504 Gateway Timeout; every other failure is 502 Bad Gateway (§15.6.3). */
  get status(): 502 | 504 {
    return this.kind === 'connect-timeout' ||
      this.kind === 'header-timeout' ||
      this.kind === 'idle-timeout'
      ? 504
      : 502;
  }

  /** Where the failure counts (metrics): the `kind` label of porta_upstream_failures_total. */
  get slot(): UpstreamFailureSlot {
    switch (this.kind) {
      case 'connect':
        return UpstreamFailureSlot.Connect;
      case 'connect-timeout':
        return UpstreamFailureSlot.ConnectTimeout;
      case 'tls':
        return UpstreamFailureSlot.Tls;
      case 'header-timeout':
        return UpstreamFailureSlot.HeaderTimeout;
      case 'idle-timeout':
        return UpstreamFailureSlot.IdleTimeout;
      case 'closed':
        return UpstreamFailureSlot.Reset;
      case 'protocol':
        return UpstreamFailureSlot.BadResponse;
    }
  }

  /** Nothing of the request can have reached the upstream's application. */
  get nothingSent(): boolean {
    return this.kind === 'connect' || this.kind === 'connect-timeout' || this.kind === 'tls';
  }
}
