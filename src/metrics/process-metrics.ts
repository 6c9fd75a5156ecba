// One process's metrics: routes and listeners (kept across reloads by their labels), rejections,
// and, in the process that speaks for the server, reloads and workers; snapshot() reads them all.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import {
  ACCEPTED,
  DURATION,
  GENERATION,
  HEAP,
  IDLE,
  LOOP_DELAY,
  MEMORY,
  METHOD_CLASSES,
  OPEN,
  PROTOCOL_ERRORS,
  RECEIVED,
  REJECTED,
  RELOADS,
  REQUESTS,
  RESPONSE_BYTES,
  RESTARTS,
  SENT,
  STATUS_CLASSES,
  WORKERS,
} from './catalogue.js';
import { ForwardStats, type ForwardStatsSource } from './forward-stats.js';
import { ListenerStats } from './listener-stats.js';
import { RouteStats } from './route-stats.js';
import type { Series } from './snapshot.js';

/** Reloads and workers: counted by the process that runs them (one process, or the primary). */
export interface ControlStats {
  reloadsOk: number;
  reloadsFailed: number;
  workerRestarts: number;
  workersServing: () => number;
}

export class ProcessMetrics implements ForwardStatsSource {
  /** "primary", a worker's number, or "main" for a single process: the label of per-process gauges. */
  readonly worker: string;
  readonly #routes = new Map<string, RouteStats>();
  readonly #listeners = new Map<string, ListenerStats>();
  readonly #forwards = new Map<string, ForwardStats>();
  /** Requests that reached no route: refused by the engine, no site, a bad path. */
  readonly unrouted = new RouteStats({ site: '', host: '', route: '' });
  rejectedCap = 0;
  /** Read at scrape time from the connection guard (it counts accept failures). */
  fdErrors: () => number = () => 0;
  control: ControlStats | null = null;
  /** Made when something may read it (~0.4 MiB): a server without `admin:` never does. */
  #loopDelay: IntervalHistogram | null = null;

  constructor(worker: string) {
    this.worker = worker;
  }

  /**
   * Starts sampling the event loop delay (by libuv every 20 ms: no cost on the request path), if
   * not yet: where an admin listener may ask for it, and at the latest on the first snapshot.
   */
  watchLoopDelay(): IntervalHistogram {
    if (this.#loopDelay === null) {
      this.#loopDelay = monitorEventLoopDelay({ resolution: 20 });
      this.#loopDelay.enable();
    }
    return this.#loopDelay;
  }

  /** The counters of a route; the same object again after a reload that keeps the route. */
  route(site: number, host: string, path: string): RouteStats {
    const key = `${site} ${host} ${path}`;
    let stats = this.#routes.get(key);
    if (stats === undefined) {
      stats = new RouteStats({ site: String(site), host, route: path });
      this.#routes.set(key, stats);
    }
    return stats;
  }

  listener(address: string): ListenerStats {
    let stats = this.#listeners.get(address);
    if (stats === undefined) {
      stats = new ListenerStats(address);
      this.#listeners.set(address, stats);
    }
    return stats;
  }

  /** The counters of a forward listener, by protocol and bound address (kept across reloads). */
  forward(protocol: 'tcp' | 'udp', listener: string): ForwardStats {
    const key = `${protocol} ${listener}`;
    let stats = this.#forwards.get(key);
    if (stats === undefined) {
      stats = new ForwardStats({ listener, protocol });
      this.#forwards.set(key, stats);
    }
    return stats;
  }

  close(): void {
    this.#loopDelay?.disable();
  }

  snapshot(): Series[] {
    const out: Series[] = [];
    for (const route of [...this.#routes.values(), this.unrouted]) addRoute(out, route);
    const now = Date.now();
    for (const route of this.#routes.values()) {
      for (const upstream of route.upstreams.values()) upstream.addSeries(out, now);
    }
    for (const listener of this.#listeners.values()) addListener(out, listener);
    for (const forward of this.#forwards.values()) forward.addSeries(out);
    out.push({ name: REJECTED.name, labels: { reason: 'cap' }, value: this.rejectedCap });
    out.push({ name: REJECTED.name, labels: { reason: 'fd_limit' }, value: this.fdErrors() });
    const worker = { worker: this.worker };
    const memory = process.memoryUsage();
    out.push({ name: MEMORY.name, labels: worker, value: memory.rss });
    out.push({ name: HEAP.name, labels: worker, value: memory.heapUsed });
    const delay = this.watchLoopDelay();
    for (const [quantile, nanoseconds] of [
      ['0.5', delay.percentile(50)],
      ['0.99', delay.percentile(99)],
      ['1', delay.max],
    ] as const) {
      const value = Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : 0;
      out.push({ name: LOOP_DELAY.name, labels: { ...worker, quantile }, value });
    }
    delay.reset();
    const control = this.control;
    if (control !== null) {
      out.push({ name: RELOADS.name, labels: { result: 'ok' }, value: control.reloadsOk });
      out.push({ name: RELOADS.name, labels: { result: 'failed' }, value: control.reloadsFailed });
      out.push({ name: RESTARTS.name, labels: {}, value: control.workerRestarts });
      out.push({ name: GENERATION.name, labels: {}, value: control.reloadsOk + 1 });
      out.push({ name: WORKERS.name, labels: {}, value: control.workersServing() });
    }
    return out;
  }
}

function addRoute(out: Series[], route: RouteStats): void {
  const statuses = STATUS_CLASSES.length;
  let total = 0;
  for (let i = 0; i < route.requests.length; i++) {
    const count = route.requests[i] as number;
    total += count;
    if (count === 0) continue;
    out.push({
      name: REQUESTS.name,
      labels: {
        ...route.labels,
        method: METHOD_CLASSES[Math.floor(i / statuses)] as string,
        status: STATUS_CLASSES[i % statuses] as string,
      },
      value: count,
    });
  }
  if (total === 0) return;
  out.push({
    name: DURATION.name,
    labels: route.labels,
    value: total,
    buckets: [...route.buckets],
    sum: route.durationSeconds,
  });
  out.push({ name: RESPONSE_BYTES.name, labels: route.labels, value: route.bodyBytes });
}

function addListener(out: Series[], listener: ListenerStats): void {
  const labels = { listener: listener.listener };
  const probe = listener.probe();
  out.push({ name: ACCEPTED.name, labels, value: listener.accepted });
  out.push({ name: OPEN.name, labels, value: probe.open });
  out.push({ name: IDLE.name, labels, value: probe.idle });
  out.push({ name: RECEIVED.name, labels, value: listener.received });
  out.push({ name: SENT.name, labels, value: listener.sent });
  for (const [status, count] of listener.protocolErrors) {
    out.push({
      name: PROTOCOL_ERRORS.name,
      labels: { listener: listener.listener, status: String(status) },
      value: count,
    });
  }
}
