// The primary's scrape of its workers: one ask each over IPC, answers gathered (late ones left out).
import { FAMILIES } from '../metrics/catalogue.js';
import { type Series, type Snapshot, mergeSnapshots } from '../metrics/snapshot.js';

const GAUGES: ReadonlySet<string> = new Set(
  FAMILIES.filter((f) => f.type === 'gauge').map((f) => f.name),
);
import type { PrimaryMessage, WorkerMessage } from './messages.js';

/** A worker that has not answered by then is left out of this scrape (it is stuck or going away). */
const SCRAPE_TIMEOUT_MS = 2000;

/** What the collector needs of a worker (node:cluster's Worker has it). */
export interface MetricsPort {
  isConnected(): boolean;
  send(message: PrimaryMessage): boolean;
}

interface Scrape {
  waiting: number;
  readonly answers: Snapshot[];
  readonly done: () => void;
}

export class ClusterMetrics {
  readonly #scrapes = new Map<number, Scrape>();
  /** What workers gone after a reload or stop had counted (counters and histograms only). */
  #retired: Series[] = [];
  #nextId = 1;

  /** Every worker's counters; resolves when all answered or at the timeout. */
  collect(workers: readonly MetricsPort[]): Promise<Snapshot[]> {
    const connected = workers.filter((w) => w.isConnected());
    if (connected.length === 0) return Promise.resolve([this.#retired]);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const answers: Snapshot[] = [this.#retired];
      const timer = setTimeout(() => {
        finish();
      }, SCRAPE_TIMEOUT_MS);
      const finish = (): void => {
        clearTimeout(timer);
        this.#scrapes.delete(id);
        resolve(answers);
      };
      this.#scrapes.set(id, { waiting: connected.length, answers, done: finish });
      for (const worker of connected) {
        try {
          worker.send({ type: 'porta:metrics-ask', id });
        } catch {
          // The channel closed meanwhile: that worker is not counted.
          const scrape = this.#scrapes.get(id);
          if (scrape !== undefined && --scrape.waiting === 0) scrape.done();
        }
      }
    });
  }

  /** Takes a worker's answer; false for messages that are not one. */
  handle(message: WorkerMessage): boolean {
    if (message.type !== 'porta:metrics') return false;
    if (message.id === 0) {
      // A worker's last counts before it exits: its gauges (open connections, memory) go with it.
      const counted = message.series.filter((s) => !GAUGES.has(s.name));
      this.#retired = mergeSnapshots([this.#retired, counted]);
      return true;
    }
    const scrape = this.#scrapes.get(message.id);
    if (scrape === undefined) return true; // too late
    scrape.answers.push(message.series);
    if (--scrape.waiting === 0) scrape.done();
    return true;
  }
}
