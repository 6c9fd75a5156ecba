// A peer address as porta shows it everywhere (logs, echo, X-Forwarded-For): IPv4 peers of dual-stack sockets in their IPv4 form.
import { isIPv4 } from 'node:net';

/**
 * A socket bound to `::` (dual-stack, the default) reports IPv4 peers as `::ffff:a.b.c.d`
 * (RFC 4291 §2.5.5.2); that is the same client as `a.b.c.d`, which is what operators expect in
 * a log line, an allow list or a forwarded header. Other addresses are returned as they are.
 * Called once per connection (when it is accepted), never per request.
 */
export function unmapAddress(address: string): string {
  if (address.length > 7 && address.charCodeAt(0) === 0x3a && address.startsWith('::ffff:')) {
    const v4 = address.slice(7);
    if (isIPv4(v4)) return v4;
  }
  return address;
}
