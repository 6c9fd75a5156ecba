// Whether this server takes new work: true once it serves, false from the moment a full graceful stop begins.

export class Readiness {
  #ready = true;

  get ready(): boolean {
    return this.#ready;
  }

  /** A graceful stop began (not a worker's hand-over on reload: the server as a whole still serves). */
  stopping(): void {
    this.#ready = false;
  }
}

/** For plans that are only checked, never served. */
export const ALWAYS_READY: Readiness = new Readiness();
