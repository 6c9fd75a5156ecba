// The cluster primary: N workers sharing the listeners, respawned with backoff, rolled one at a time on reload.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/schema.js';
import { PortaError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { TicketKeys, rotateTicketKeys } from '../net/ticket-keys.js';
import {
  type PrimaryMessage,
  WORKER_CONFIG_ENV,
  WORKER_COUNT_ENV,
  WORKER_INDEX_ENV,
  WORKER_TICKET_KEY_ENV,
  errorFromFailure,
  isWorkerMessage,
} from './messages.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { ClusterMetrics } from './cluster-metrics.js';
import { PrimaryState } from './primary-state.js';

export interface SupervisorOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** How long a worker gets to finish in-flight requests when told to stop. */
  readonly shutdownMs: number;
}

/** Backoff between respawns of a crashing worker: 0.5 s doubling to 30 s; reset after 30 s up. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const STABLE_MS = 30_000;
/** A worker that is not ready this long after its config was sent has failed to start. */
const READY_TIMEOUT_MS = 30_000;
/** How long a reload waits for a retired worker to stop accepting (a stuck one: go on). */
const STOP_ACCEPTING_TIMEOUT_MS = 5000;

interface Slot {
  readonly index: number;
  worker: Worker | null;
  startedAt: number;
  backoffMs: number;
}

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #logger: Logger;
  #config: Config;
  readonly #slots: Slot[] = [];
  /** Workers we asked to stop: their exit is not a crash. */
  readonly #retiring = new Set<Worker>();
  #stopping = false;
  #rolling: Promise<void> = Promise.resolve();
  /** Rate budgets, failed logins, upstream health: kept here, one copy for the server. */
  readonly #state = new PrimaryState();
  readonly #metrics = new ClusterMetrics();
  /** Workers that died unasked and were started again (metrics). */
  restarts = 0;
  /** One TLS ticket key for all workers (a ticket from one resumes on another), rotated here. */
  readonly #keys = new TicketKeys();
  #stopRotation: (() => void) | null = null;

  constructor(config: Config, options: SupervisorOptions) {
    this.#config = config;
    this.#options = options;
    this.#logger = options.logger;
    // On Linux the kernel spreads connections over the workers' accept calls; the primary's
    // round-robin hand-off costs an extra IPC hop per connection.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
  }

  /** Starts every worker; resolves when all are serving, rejects if the first one fails. */
  async start(): Promise<readonly string[]> {
    this.#stopRotation = rotateTicketKeys(this.#keys);
    this.#keys.onChange((key) => {
      const message: PrimaryMessage = { type: 'porta:ticket-key', key: key.toString('base64') };
      // Every live worker, also one still starting (not in a slot yet).
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (worker?.isConnected() === true) worker.send(message);
      }
    });
    let urls: readonly string[] = [];
    for (let index = 0; index < this.#options.workers; index++) {
      const slot: Slot = { index, worker: null, startedAt: 0, backoffMs: FIRST_BACKOFF_MS };
      this.#slots.push(slot);
      const started = await this.#spawn(slot, this.#config);
      urls = started.urls;
    }
    return urls;
  }

  /** Workers serving now (a crashed one waiting for its respawn is not). */
  get serving(): number {
    return this.#slots.filter((slot) => slot.worker !== null && !slot.worker.isDead()).length;
  }

  /** Every serving worker's counters (a scrape of /metrics). */
  collectMetrics(): Promise<Snapshot[]> {
    const workers = this.#slots
      .map((slot) => slot.worker)
      .filter((w): w is Worker => w !== null && !w.isDead());
    return this.#metrics.collect(workers);
  }

  /** True from the first moment of a graceful stop. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Rolling reload: one worker at a time, the new one serving before the old one drains. */
  reload(config: Config): Promise<void> {
    const next = this.#rolling.then(() => this.#roll(config));
    this.#rolling = next.catch(() => undefined);
    return next;
  }

  async #roll(config: Config): Promise<void> {
    for (const slot of this.#slots) {
      if (this.#stopping) return;
      const old = slot.worker;
      // Spawn first: the new worker shares the listening sockets, so there is no gap.
      await this.#spawn(slot, config);
      if (old !== null) await this.#handOver(old);
    }
    this.#config = config;
  }

  /**
   * Retires `old`, which drains in the background; resolves once it accepts no new connection
   * (it says so, or exits), so that once a reload reports done every new connection is the new
   * configuration's.
   */
  #handOver(old: Worker): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        old.off('message', onMessage);
        old.off('exit', done);
        resolve();
      };
      const onMessage = (message: unknown): void => {
        if (isWorkerMessage(message) && message.type === 'porta:stopped-accepting') done();
      };
      const timer = setTimeout(done, STOP_ACCEPTING_TIMEOUT_MS);
      old.on('message', onMessage);
      old.once('exit', done);
      void this.#retire(old, true);
      if (old.isDead()) done();
    });
  }

  /** Tells every worker to open its log files again (SIGUSR1, logrotate). */
  reopenLogs(): void {
    const message: PrimaryMessage = { type: 'porta:reopen-logs' };
    for (const slot of this.#slots) {
      const worker = slot.worker;
      if (worker?.isConnected() === true) worker.send(message);
    }
  }

  /** Graceful stop of every worker; resolves when all have exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopRotation?.();
    await this.#rolling;
    const exits = this.#slots
      .map((slot) => slot.worker)
      .filter((w): w is Worker => w !== null)
      .map((worker) => this.#retire(worker));
    await Promise.all(exits);
  }

  #spawn(slot: Slot, config: Config): Promise<{ urls: readonly string[] }> {
    // The config travels in the environment: IPC messages sent before the worker listens are lost.
    const worker = cluster.fork({
      [WORKER_INDEX_ENV]: String(slot.index + 1),
      [WORKER_COUNT_ENV]: String(this.#options.workers),
      [WORKER_CONFIG_ENV]: JSON.stringify(config),
      // Readable only by this user (/proc/PID/environ); the worker deletes it once read.
      [WORKER_TICKET_KEY_ENV]: this.#keys.current.toString('base64'),
    });
    // It may ask about server-wide state while it starts; from now on it hears every change.
    this.#state.add(worker);
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        fail(
          new PortaError(
            'PORTA_INTERNAL',
            `worker ${slot.index + 1} was not ready after ${READY_TIMEOUT_MS / 1000}s`,
          ),
        );
      }, READY_TIMEOUT_MS);
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#retiring.add(worker);
        worker.kill('SIGKILL');
        reject(error);
      };
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (this.#state.handle(worker, message) || this.#metrics.handle(message) || settled) return;
        if (message.type === 'porta:failed') {
          fail(errorFromFailure(message));
          return;
        }
        if (message.type !== 'porta:ready') return;
        settled = true;
        clearTimeout(timer);
        slot.worker = worker;
        slot.startedAt = Date.now();
        this.#logger.info(`Worker ${slot.index + 1} (pid ${worker.process.pid ?? '?'}) serving`);
        this.#chooseChecker();
        resolve({ urls: message.urls });
      });
      worker.on('exit', (code, signal) => {
        this.#state.remove(worker);
        this.#chooseChecker();
        if (!settled) {
          fail(
            new PortaError(
              'PORTA_INTERNAL',
              `worker ${slot.index + 1} exited before it was ready (code ${code}, signal ${signal})`,
            ),
          );
          return;
        }
        this.#onExit(slot, worker, code, signal);
      });
      worker.on('error', () => undefined); // IPC errors: the exit handler decides
    });
  }

  /** Active health checks run in the lowest slot with a serving worker; re-chosen when it changes. */
  #chooseChecker(): void {
    const slot = this.#slots.find((s) => s.worker !== null && !s.worker.isDead());
    this.#state.chooseChecker(this.#stopping ? null : (slot?.worker ?? null));
  }

  #retire(worker: Worker, handOver = false): Promise<void> {
    this.#retiring.add(worker);
    return new Promise((resolve) => {
      if (worker.isDead()) {
        resolve();
        return;
      }
      const force = setTimeout(() => {
        worker.kill('SIGKILL');
      }, this.#options.shutdownMs + 5000);
      worker.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      const message: PrimaryMessage = { type: 'porta:shutdown', handOver };
      if (worker.isConnected()) worker.send(message);
      else worker.kill('SIGTERM');
    });
  }

  #onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (this.#retiring.delete(worker) || this.#stopping) {
      if (slot.worker === worker) slot.worker = null;
      return;
    }
    if (slot.worker !== worker) return;
    slot.worker = null;
    const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
    // A worker that ran a while had a one-off failure: start the backoff over.
    if (Date.now() - slot.startedAt > STABLE_MS) slot.backoffMs = FIRST_BACKOFF_MS;
    this.#logger.error(`Worker ${slot.index + 1} (pid ${worker.process.pid ?? '?'}) died (${why})`);
    this.restarts++;
    this.#scheduleRespawn(slot);
  }

  #scheduleRespawn(slot: Slot): void {
    const wait = slot.backoffMs;
    slot.backoffMs = Math.min(slot.backoffMs * 2, MAX_BACKOFF_MS);
    this.#logger.info(`Restarting worker ${slot.index + 1} in ${wait / 1000}s`);
    setTimeout(() => {
      if (this.#stopping || slot.worker !== null) return;
      this.#spawn(slot, this.#config).catch((error: unknown) => {
        this.#logger.error(`Worker ${slot.index + 1} failed to restart: ${String(error)}`);
        this.#scheduleRespawn(slot);
      });
    }, wait);
  }
}
