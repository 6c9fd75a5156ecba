// /status.json: the few numbers the status page charts, read from the server's merged series.
import {
  DURATION,
  DURATION_BUCKETS,
  IDLE,
  LOOP_DELAY,
  MEMORY,
  OPEN,
  REQUESTS,
  UPSTREAM_FAILURES,
  UPSTREAM_HEALTHY,
  UPSTREAM_IN_FLIGHT,
  UPSTREAM_REQUESTS,
  UPSTREAM_RETRIES,
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
  readonly upstreams: readonly UpstreamStatus[];
}

/** One upstream address of one proxy route: its state now and its totals since start. */
export interface UpstreamStatus {
  /** "site 0 * /api": the route, as the metrics label it. */
  readonly route: string;
  /** As configured ("app:3000") and as resolved ("10.0.0.7:3000"). */
  readonly upstream: string;
  readonly address: string;
  /** 1 up, 0 down; null when no handler uses it any more (a reload removed it). */
  healthy: number | null;
  inFlight: number;
  requests: number;
  failures: number;
  retries: number;
}

/** The upstream families, gathered per route and address. */
function upstreamsOf(series: readonly Series[]): UpstreamStatus[] {
  const byKey = new Map<string, UpstreamStatus>();
  for (const one of series) {
    if (!one.name.startsWith('porta_upstream_')) continue;
    const { site = '', host = '', route = '', upstream = '', address = '' } = one.labels;
    const key = `${site} ${host} ${route} ${upstream} ${address}`;
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = {
        route: `site ${site} ${host} ${route}`,
        upstream,
        address,
        healthy: null,
        inFlight: 0,
        requests: 0,
        failures: 0,
        retries: 0,
      };
      byKey.set(key, entry);
    }
    if (one.name === UPSTREAM_HEALTHY.name) entry.healthy = one.value;
    else if (one.name === UPSTREAM_IN_FLIGHT.name) entry.inFlight = one.value;
    else if (one.name === UPSTREAM_REQUESTS.name) entry.requests = one.value;
    else if (one.name === UPSTREAM_FAILURES.name) entry.failures += one.value;
    else if (one.name === UPSTREAM_RETRIES.name) entry.retries = one.value;
  }
  return [...byKey.values()];
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
    upstreams: upstreamsOf(series),
  };
}
