// Round robin: each target in turn, weights ignored (nginx's default without weights).
import type { BalanceTarget, Balancer } from './balancer.js';

export class RoundRobinBalancer implements Balancer {
  #next = 0;

  pick<T extends BalanceTarget>(targets: readonly T[], _key: string): T | undefined {
    const count = targets.length;
    if (count === 0) return undefined;
    const index = this.#next % count;
    // Wrap well before 2^53 so the modulo stays exact forever.
    this.#next = index + 1;
    return targets[index];
  }
}
