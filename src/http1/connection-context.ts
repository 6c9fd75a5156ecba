// What every HTTP/1.1 connection of a listener shares: limits, timeouts, where exchanges go, logs.
import type { ConnectionTimeouts } from '../http/limits.js';
import type { AccessRecord } from '../log/access-log.js';
import type { ParserLimits } from './request-parser.js';
import type { ServerExchange } from './server-exchange.js';

export type Http1Timeouts = ConnectionTimeouts;

/** What every connection of a listener shares: limits, timeouts, where exchanges go, logs. */
export interface ConnectionContext {
  readonly limits: ParserLimits;
  readonly timeouts: Http1Timeouts;
  /** Hands a new exchange to the router; must not throw. */
  dispatch(exchange: ServerExchange): void;
  /**
   * Called once per request that got an answer or was cut short (access log): exchanges when
   * they end, and requests the engine refused before any handler saw them.
   */
  onExchangeDone(exchange: AccessRecord): void;
  /** Debug lines about protocol errors and timeouts; null when debug is off. */
  readonly debug: ((message: string) => void) | null;
  /**
   * True when exchanges are logged: each request then reads its peer address when it begins,
   * since a log line written after the client left can no longer ask the socket.
   */
  readonly logsAccess: boolean;
}
