// Port forwarding's public face: start a TCP or UDP forward listener from resolved options.
import type { ListenAddress } from '../net/listen-address.js';
import type { TicketKeys } from '../net/ticket-keys.js';
import type { ForwardStatsSource } from '../metrics/forward-stats.js';
import type { ForwardLogger, ForwardOptions } from './options.js';
import { type ForwardListener, startTcpForward } from './tcp-forward.js';
import { startUdpForward } from './udp-forward.js';

export type { ForwardLogger, ForwardOptions } from './options.js';
export type { ForwardListener } from './tcp-forward.js';

/**
 * Binds `address` (TCP or UDP per options.protocol) and forwards to the targets; `keys` for TLS
 * session tickets; `stats` gives the listener its counters once bound (null: not counted).
 */
export function startForward(
  address: ListenAddress,
  options: ForwardOptions,
  logger: ForwardLogger,
  keys: TicketKeys,
  stats: ForwardStatsSource | null = null,
): Promise<ForwardListener> {
  return options.protocol === 'udp'
    ? startUdpForward(address, options, logger, stats)
    : startTcpForward(address, options, logger, keys, stats);
}
