// Builds a strategy from its config name: the explicit map from name to class.
import type { BalanceName, Balancer } from './balancer.js';
import { FirstBalancer } from './first.js';
import { HeaderHashBalancer } from './header-hash.js';
import { IpHashBalancer } from './ip-hash.js';
import { LeastConnBalancer } from './least-conn.js';
import { RandomBalancer } from './random.js';
import { RoundRobinBalancer } from './round-robin.js';
import { WeightedBalancer } from './weighted.js';

const FACTORIES: { readonly [K in BalanceName]: () => Balancer } = {
  'round-robin': () => new RoundRobinBalancer(),
  weighted: () => new WeightedBalancer(),
  'least-conn': () => new LeastConnBalancer(),
  'ip-hash': () => new IpHashBalancer(),
  'header-hash': () => new HeaderHashBalancer(),
  random: () => new RandomBalancer(),
  first: () => new FirstBalancer(),
};

/** A fresh strategy (each has its own state: counters, current weights). */
export function createBalancer(name: BalanceName): Balancer {
  return FACTORIES[name]();
}
