// The allow/deny directive: the client's IP against CIDR blocks, most specific block wins; 403 otherwise.
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import { type CidrBlock, isInBlock, parseIpAddress } from '../../net/cidr.js';

export interface IpFilterOptions {
  /** Blocks allowed in; when not empty, addresses in none of them are denied. */
  readonly allow: readonly CidrBlock[];
  /** Blocks kept out. */
  readonly deny: readonly CidrBlock[];
}

interface Rule {
  readonly block: CidrBlock;
  readonly allow: boolean;
}

/** The peer address being checked (one thread: one scratch array serves every request). */
const peer = new Uint32Array(4);

class IpFilter implements Handler {
  readonly #next: Handler;
  /** Longest prefix first, deny before allow at equal length: the first match decides. */
  readonly #rules: readonly Rule[];
  readonly #allowByDefault: boolean;

  constructor(options: IpFilterOptions, next: Handler) {
    this.#next = next;
    const rules: Rule[] = [
      ...options.deny.map((block) => ({ block, allow: false })),
      ...options.allow.map((block) => ({ block, allow: true })),
    ];
    // A stable sort keeps deny ahead of allow for blocks of the same length.
    this.#rules = rules.sort((a, b) => b.block.prefix - a.block.prefix);
    this.#allowByDefault = options.allow.length === 0;
  }

  handle(exchange: Exchange): void | Promise<void> {
    if (this.isAllowed(exchange.remoteAddress)) return this.#next.handle(exchange);
    sendError(exchange, 403);
  }

  /** IPv4-mapped IPv6 peers (::ffff:a.b.c.d) match IPv4 blocks; an address we cannot read is denied. */
  isAllowed(address: string): boolean {
    if (!parseIpAddress(address, peer)) return false;
    for (const rule of this.#rules) {
      if (isInBlock(peer, rule.block)) return rule.allow;
    }
    return this.#allowByDefault;
  }
}

/** Wraps `next` so that only clients the rules allow reach it. */
export function createIpFilter(options: IpFilterOptions, next: Handler): Handler {
  return new IpFilter(options, next);
}
