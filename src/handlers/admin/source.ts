// What the admin handlers ask of the server they watch: readiness now, metrics and history on demand.
import type { Series } from '../../metrics/snapshot.js';

/** The server seen from its admin listener: one process, or a cluster primary speaking for its workers. */
export interface AdminSource {
  /** Listeners bound, config loaded, and no graceful stop or drain begun. */
  ready(): boolean;
  /** Every series of the whole server, merged (all workers together). */
  metrics(): Promise<readonly Series[]>;
}
