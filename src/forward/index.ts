// Port forwarding's public face: start a TCP or UDP forward listener from resolved options.
import type { ListenAddress } from '../net/listen-address.js';
import type { TicketKeys } from '../net/ticket-keys.js';
import type { ForwardLogger, ForwardOptions } from './options.js';
import { type ForwardListener, startTcpForward } from './tcp-forward.js';
import { startUdpForward } from './udp-forward.js';

export type { ForwardLogger, ForwardOptions } from './options.js';
export type { ForwardListener } from './tcp-forward.js';

/** Binds `address` (TCP or UDP per options.protocol) and forwards to the targets; `keys` for TLS session tickets. */
export function startForward(
  address: ListenAddress,
  options: ForwardOptions,
  logger: ForwardLogger,
  keys: TicketKeys,
): Promise<ForwardListener> {
  return options.protocol === 'udp'
    ? startUdpForward(address, options, logger)
    : startTcpForward(address, options, logger, keys);
}
