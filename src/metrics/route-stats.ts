// Counters of one route, bumped on the request path: plain numbers in typed arrays, no labels built.
import { DURATION_BUCKETS, METHOD_CLASSES, STATUS_CLASSES } from './catalogue.js';
import type { Labels } from './snapshot.js';
import { UpstreamStats, type UpstreamStatsSource } from './upstream-stats.js';

const METHODS = METHOD_CLASSES.length;
const STATUSES = STATUS_CLASSES.length;
const OTHER_METHOD = METHODS - 1;
const LAST_BUCKET = DURATION_BUCKETS.length;

/** What a finished exchange tells the counters (an access record has all of it). */
export interface FinishedExchange {
  readonly method: string;
  readonly status: number;
  readonly durationMs: number;
  readonly bytesSent: number;
}

/** The index of a method in METHOD_CLASSES: a few string compares, no allocation. */
export function methodIndex(method: string): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'PATCH':
      return 4;
    case 'DELETE':
      return 5;
    case 'OPTIONS':
      return 6;
    default:
      return OTHER_METHOD;
  }
}

export class RouteStats implements UpstreamStatsSource {
  /** site, host, route: built once when the plan is built. */
  readonly labels: Labels;
  /** Requests by [method class * STATUSES + status class]. */
  readonly requests = new Float64Array(METHODS * STATUSES);
  /** Latency histogram: one count per bucket (not cumulative), the last one +Inf. */
  readonly buckets = new Float64Array(LAST_BUCKET + 1);
  durationSeconds = 0;
  bodyBytes = 0;
  /** A proxy route's upstream addresses, by "name address" (kept across reloads with the route). */
  readonly upstreams = new Map<string, UpstreamStats>();

  constructor(labels: Labels) {
    this.labels = labels;
  }

  /** The counters of one upstream address of this route (asked when a peer is made, not per request). */
  upstream(name: string, address: string): UpstreamStats {
    const key = `${name} ${address}`;
    let stats = this.upstreams.get(key);
    if (stats === undefined) {
      stats = new UpstreamStats({ ...this.labels, upstream: name, address });
      this.upstreams.set(key, stats);
    }
    return stats;
  }

  record(exchange: FinishedExchange): void {
    const status = exchange.status;
    const statusClass = status >= 100 && status < 600 ? (status / 100) | 0 : 0;
    const slot = methodIndex(exchange.method) * STATUSES + statusClass;
    this.requests[slot] = (this.requests[slot] as number) + 1;
    const seconds = exchange.durationMs / 1000;
    let bucket = 0;
    while (bucket < LAST_BUCKET && seconds > (DURATION_BUCKETS[bucket] as number)) bucket++;
    this.buckets[bucket] = (this.buckets[bucket] as number) + 1;
    this.durationSeconds += seconds;
    this.bodyBytes += exchange.bytesSent;
  }
}
