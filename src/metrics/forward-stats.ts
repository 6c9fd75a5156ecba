// Counters of one forward listener (TCP or UDP): sessions opened and open, bytes each way, bumped as they happen.
import { FORWARD_OPEN, FORWARD_RECEIVED, FORWARD_SENT, FORWARD_SESSIONS } from './catalogue.js';
import type { Labels, Series } from './snapshot.js';

/** Slots of ForwardStats.bytes (what net/pipe.ts counts into: a to b, b to a, the client being a). */
export const RECEIVED_SLOT = 0;
export const SENT_SLOT = 1;

export class ForwardStats {
  /** listener (the bound address) and protocol (tcp, udp). */
  readonly labels: Labels;
  opened = 0;
  /** Up at open, down at close: old and new listeners of a reload count into the same one. */
  open = 0;
  /** Bytes from clients to targets, and back: [RECEIVED_SLOT, SENT_SLOT]. */
  readonly bytes = new Float64Array(2);

  constructor(labels: Labels) {
    this.labels = labels;
  }

  addSeries(out: Series[]): void {
    const labels = this.labels;
    out.push({ name: FORWARD_SESSIONS.name, labels, value: this.opened });
    out.push({ name: FORWARD_OPEN.name, labels, value: this.open });
    out.push({ name: FORWARD_RECEIVED.name, labels, value: this.bytes[RECEIVED_SLOT] as number });
    out.push({ name: FORWARD_SENT.name, labels, value: this.bytes[SENT_SLOT] as number });
  }
}

/** Where a forward listener gets its counters once bound (ProcessMetrics). */
export interface ForwardStatsSource {
  forward(protocol: 'tcp' | 'udp', listener: string): ForwardStats;
}
