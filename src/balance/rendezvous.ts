// Weighted rendezvous (highest random weight) hashing: a key keeps its target while others come and go.
import type { BalanceTarget } from './balancer.js';

/** FNV-1a, 32 bits, over a string's UTF-16 code units: fast, and spread well enough for picking. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A final avalanche (murmur3's fmix32) so near-equal inputs land far apart. */
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The target with the highest score weight / -ln(u), u uniform in (0,1) from hash(key, id):
 * each target wins a share of keys proportional to its weight, and removing a target moves
 * only the keys it had (the scheme Caddy's hash policies use).
 */
export function pickByRendezvous<T extends BalanceTarget>(
  targets: readonly T[],
  key: string,
): T | undefined {
  if (targets.length <= 1) return targets[0];
  const keyHash = fnv1a(key);
  let best: T | undefined;
  let bestScore = -Infinity;
  for (const target of targets) {
    const h = mix(fnv1a(target.id, keyHash));
    const u = (h + 0.5) / 4294967296; // strictly inside (0, 1)
    const score = target.weight / -Math.log(u);
    if (score > bestScore) {
      bestScore = score;
      best = target;
    }
  }
  return best;
}
