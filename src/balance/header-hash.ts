// Header hash: requests with the same value of a chosen header (a user or tenant id) reach the same target.
import type { BalanceTarget, Balancer } from './balancer.js';
import { pickByRendezvous } from './rendezvous.js';

/** The caller passes the header's value as the key (or the client address when the header is absent). */
export class HeaderHashBalancer implements Balancer {
  pick<T extends BalanceTarget>(targets: readonly T[], key: string): T | undefined {
    return pickByRendezvous(targets, key);
  }
}
