// The client address an HTTP engine shows handlers and logs: the socket's peer, IPv4 peers unmapped.
import type { Socket } from 'node:net';
import { unmapAddress } from '../net/peer-address.js';

/**
 * The peer of `socket` as porta shows it (see unmapAddress); '' once the socket is closed, when
 * Node no longer knows it. A system call: engines read it once per connection, when first needed.
 */
export function socketPeerAddress(socket: Socket): string {
  return unmapAddress(socket.remoteAddress ?? '');
}
