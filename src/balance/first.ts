// First: always the first available target in config order; the others are hot standbys.
import type { BalanceTarget, Balancer } from './balancer.js';

export class FirstBalancer implements Balancer {
  pick<T extends BalanceTarget>(targets: readonly T[], _key: string): T | undefined {
    return targets[0];
  }
}
