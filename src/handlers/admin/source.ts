// What the admin handlers ask of the server they watch: readiness now, metrics and history on demand.

/** The server seen from its admin listener: one process, or a cluster primary speaking for its workers. */
export interface AdminSource {
  /** Listeners bound, config loaded, and no graceful stop or drain begun. */
  ready(): boolean;
}
