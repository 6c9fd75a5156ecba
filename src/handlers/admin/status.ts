// /status.json: the few numbers the status page charts, read from the server's merged series.
import {
  DURATION,
  DURATION_BUCKETS,
  IDLE,
  LOOP_DELAY,
  MEMORY,
  OPEN,
  REQUESTS,
  WORKERS,
} from '../../metrics/catalogue.js';
import type { Series } from '../../metrics/snapshot.js';

/** Totals since start: the page turns two polls into rates and percentiles of the interval. */
export interface StatusReport {
  readonly time: number;
  readonly ready: boolean;
  readonly requests: number;
  /** Requests by status class ("2xx": n). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Latency buckets of all routes together: upper bounds (seconds) and counts per bucket. */
  readonly latency: { readonly bounds: readonly number[]; readonly counts: readonly number[] };
  readonly open: number;
  readonly idle: number;
  readonly workersServing: number;
  readonly processes: readonly {
    readonly worker: string;
    readonly memory: number;
    readonly loopDelayMax: number;
  }[];
}

export function statusReport(series: readonly Series[], ready: boolean): StatusReport {
  const statuses: Record<string, number> = {};
  const counts = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  const processes = new Map<string, { worker: string; memory: number; loopDelayMax: number }>();
  const processOf = (worker: string): { worker: string; memory: number; loopDelayMax: number } => {
    let entry = processes.get(worker);
    if (entry === undefined) {
      entry = { worker, memory: 0, loopDelayMax: 0 };
      processes.set(worker, entry);
    }
    return entry;
  };
  let requests = 0;
  let open = 0;
  let idle = 0;
  let workersServing = 0;
  for (const one of series) {
    switch (one.name) {
      case REQUESTS.name: {
        requests += one.value;
        const status = one.labels.status ?? '';
        statuses[status] = (statuses[status] ?? 0) + one.value;
        break;
      }
      case DURATION.name:
        (one.buckets ?? []).forEach((count, i) => {
          counts[i] = (counts[i] ?? 0) + count;
        });
        break;
      case OPEN.name:
        open += one.value;
        break;
      case IDLE.name:
        idle += one.value;
        break;
      case WORKERS.name:
        workersServing = one.value;
        break;
      case MEMORY.name:
        processOf(one.labels.worker ?? '?').memory = one.value;
        break;
      case LOOP_DELAY.name:
        if (one.labels.quantile === '1')
          processOf(one.labels.worker ?? '?').loopDelayMax = one.value;
        break;
      default:
    }
  }
  return {
    time: Date.now(),
    ready,
    requests,
    statuses,
    latency: { bounds: DURATION_BUCKETS, counts },
    open,
    idle,
    workersServing,
    processes: [...processes.values()],
  };
}
