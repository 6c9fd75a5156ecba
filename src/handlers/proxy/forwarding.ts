// Who the client is, as seen through trusted proxies, and the forwarding fields we add (X-Forwarded-*, Forwarded, RFC 7239).
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { unmapAddress } from '../../net/peer-address.js';

/** Caddy's `private_ranges`: loopback, RFC 1918, RFC 4193 unique-local and link-local. */
const PRIVATE_RANGES = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/** The proxies whose X-Forwarded-* and Forwarded fields we believe. */
export class TrustedProxies {
  readonly #list: BlockList | null;

  /** `entries`: IPs, CIDRs ("10.0.0.0/8", "fd00::/8") or "private_ranges". Throws on a bad one. */
  constructor(entries: readonly string[]) {
    if (entries.length === 0) {
      this.#list = null;
      return;
    }
    const list = new BlockList();
    for (const entry of entries.flatMap((e) => (e === 'private_ranges' ? PRIVATE_RANGES : [e]))) {
      const slash = entry.indexOf('/');
      const ip = slash < 0 ? entry : entry.slice(0, slash);
      const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : null;
      const bits = slash < 0 ? (family === 'ipv4' ? 32 : 128) : Number(entry.slice(slash + 1));
      const max = family === 'ipv4' ? 32 : 128;
      if (family === null || !Number.isInteger(bits) || bits < 0 || bits > max) {
        throw new Error(`"${entry}" is not an IP address or CIDR range like 10.0.0.0/8`);
      }
      list.addSubnet(ip, bits, family);
    }
    this.#list = list;
  }

  get empty(): boolean {
    return this.#list === null;
  }

  /** Whether a peer address (as the socket reports it) is a trusted proxy. */
  has(address: string): boolean {
    const list = this.#list;
    if (list === null || address === '') return false;
    const plain = unmapAddress(address);
    return list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  }

  /**
   * The original client: the socket peer, or when that is trusted, the right-most address in
   * X-Forwarded-For that is not itself a trusted proxy (left-most entries can be forged).
   */
  clientAddress(peer: string, xForwardedFor: string | undefined): string {
    // `peer` is in its IPv4 form already: the engine unmaps it once per connection.
    if (xForwardedFor === undefined || !this.has(peer)) return peer;
    const hops = xForwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = (hops[i] as string).trim();
      if (hop === '') continue;
      if (!this.has(hop)) return hop;
    }
    return peer;
  }
}

/** RFC 7239 §6: a node is an IPv4 address, or a quoted, bracketed IPv6 address. */
export function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : address;
}

/** RFC 7239 §4: a value is a token or a quoted-string; Host values with ":" or "[" need quotes. */
export function forwardedValue(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const token =
      (c >= 0x30 && c <= 0x39) ||
      ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x7e;
    if (!token) return `"${value.replace(/["\\]/g, '\\$&')}"`;
  }
  return value;
}
