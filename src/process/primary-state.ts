// The primary's end of the IPC channel: owns the server-wide state, answers asks, broadcasts events, picks the health checker.
import { StateServer } from '../shared/state-server.js';
import type { StateEvent } from '../shared/state-protocol.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';

/** What the primary needs of a worker (node:cluster's Worker has it). */
export interface WorkerPort {
  readonly process: { readonly pid?: number | undefined };
  isConnected(): boolean;
  send(message: PrimaryMessage): boolean;
}

export class PrimaryState {
  readonly #server = new StateServer();
  /** Every worker that may hold state: serving, or draining after a reload. */
  readonly #workers = new Set<WorkerPort>();
  #checker: WorkerPort | null = null;

  /** A worker is serving (or will be): it hears every event from now on. */
  add(worker: WorkerPort): void {
    this.#workers.add(worker);
  }

  remove(worker: WorkerPort): void {
    this.#workers.delete(worker);
    if (this.#checker === worker) this.#checker = null;
  }

  /** The one dispatcher for state messages; false for messages that are not about state. */
  handle(worker: WorkerPort, message: WorkerMessage): boolean {
    if (message.type === 'porta:ask') {
      const reply = this.#server.ask(message.ask, Date.now());
      send(worker, { type: 'porta:reply', id: message.id, reply });
      return true;
    }
    if (message.type === 'porta:report') {
      const event = this.#server.report(message.report, worker.process.pid ?? 0, Date.now());
      if (event !== null) this.broadcast(event);
      return true;
    }
    return false;
  }

  broadcast(event: StateEvent): void {
    const message: PrimaryMessage = { type: 'porta:event', event };
    for (const worker of this.#workers) send(worker, message);
  }

  /**
   * Active health checks run in one worker for the whole server: `worker` (the lowest live slot,
   * chosen by the supervisor). The previous one is told to stop.
   */
  chooseChecker(worker: WorkerPort | null): void {
    if (worker === this.#checker) return;
    const previous = this.#checker;
    this.#checker = worker;
    if (previous !== null) {
      send(previous, { type: 'porta:event', event: { kind: 'checker', runChecks: false } });
    }
    if (worker !== null) {
      send(worker, { type: 'porta:event', event: { kind: 'checker', runChecks: true } });
    }
  }
}

/** A worker that is going away misses the message: its state goes with it. */
function send(worker: WorkerPort, message: PrimaryMessage): void {
  if (!worker.isConnected()) return;
  try {
    worker.send(message);
  } catch {
    // The channel closed between the check and the send: the exit handler cleans up.
  }
}
