// Smooth weighted round robin (nginx's upstream algorithm): weights 5,1,1 give a a b a c a a, not a a a a a b c.
import type { BalanceTarget, Balancer } from './balancer.js';

export class WeightedBalancer implements Balancer {
  /** Each target's running "current weight", by id; targets that leave keep theirs for when they return. */
  readonly #current = new Map<string, number>();

  pick<T extends BalanceTarget>(targets: readonly T[], _key: string): T | undefined {
    if (targets.length <= 1) return targets[0];
    let total = 0;
    let best: T | undefined;
    let bestWeight = -Infinity;
    for (const target of targets) {
      const weight = target.weight;
      const current = (this.#current.get(target.id) ?? 0) + weight;
      this.#current.set(target.id, current);
      total += weight;
      if (current > bestWeight) {
        bestWeight = current;
        best = target;
      }
    }
    if (best !== undefined) this.#current.set(best.id, bestWeight - total);
    return best;
  }
}
