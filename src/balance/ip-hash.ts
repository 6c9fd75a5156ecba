// IP hash: the same client address always reaches the same target (sticky without cookies).
import type { BalanceTarget, Balancer } from './balancer.js';
import { pickByRendezvous } from './rendezvous.js';

export class IpHashBalancer implements Balancer {
  pick<T extends BalanceTarget>(targets: readonly T[], key: string): T | undefined {
    return pickByRendezvous(targets, key);
  }
}
