// One forward target address: weight, open connections, health (what the balancer picks from).
import { PeerHealth, type PassiveHealthOptions } from '../balance/peer-health.js';
import { type Peer, type PeerSpec, peerId } from '../balance/peer-set.js';

/** Forward targets have no active probes: passive health only. */
const NO_PROBES = { passes: 1, fails: 1 };

export class ForwardTarget implements Peer {
  readonly id: string;
  readonly spec: PeerSpec;
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly health: PeerHealth;
  active = 0;

  constructor(spec: PeerSpec, address: string, passive: PassiveHealthOptions) {
    this.spec = spec;
    this.address = address;
    this.port = spec.port;
    this.weight = spec.weight;
    this.id = peerId(address, spec.port);
    this.health = new PeerHealth(passive, NO_PROBES);
  }

  retire(): void {
    // Open connections finish on their own; nothing is pooled.
  }
}
