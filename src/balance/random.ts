// Random: a target drawn at random, in proportion to its weight (Caddy's default policy).
import type { BalanceTarget, Balancer } from './balancer.js';

export class RandomBalancer implements Balancer {
  readonly #random: () => number;

  /** `random` returns [0, 1); tests pass a seeded one. */
  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  pick<T extends BalanceTarget>(targets: readonly T[], _key: string): T | undefined {
    if (targets.length <= 1) return targets[0];
    let total = 0;
    for (const target of targets) total += target.weight;
    let point = this.#random() * total;
    for (const target of targets) {
      point -= target.weight;
      if (point < 0) return target;
    }
    return targets[targets.length - 1];
  }
}
