// Least connections: the target with the fewest in flight per unit of weight; ties go round robin.
import type { BalanceTarget, Balancer } from './balancer.js';

export class LeastConnBalancer implements Balancer {
  #rotate = 0;

  pick<T extends BalanceTarget>(targets: readonly T[], _key: string): T | undefined {
    const count = targets.length;
    if (count <= 1) return targets[0];
    // Start the scan at a rotating offset so equal targets share the load instead of the first winning.
    const start = this.#rotate % count;
    this.#rotate = start + 1;
    let best: T | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < count; i++) {
      const target = targets[(start + i) % count] as T;
      const load = target.active / target.weight;
      if (load < bestLoad) {
        bestLoad = load;
        best = target;
      }
    }
    return best;
  }
}
