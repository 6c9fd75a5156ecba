// Every metric porta exports: name, type and help, in one list (docs/observability.md lists the same).

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /**
   * How processes' series meet: summed (counters, and gauges whose sum is the truth), or the
   * highest one (a state every process sees alike, such as an upstream's shared health).
   */
  readonly merge: 'sum' | 'max';
}

function family(
  name: string,
  type: MetricType,
  help: string,
  merge: 'sum' | 'max' = 'sum',
): MetricFamily {
  return { name, type, help, merge };
}

export const REQUESTS = family(
  'porta_http_requests_total',
  'counter',
  'HTTP requests answered, by site, route, method class and status class (route "" = refused or unrouted).',
);
export const DURATION = family(
  'porta_http_request_duration_seconds',
  'histogram',
  'Time from the request head to the end of the response, per route.',
);
export const RESPONSE_BYTES = family(
  'porta_http_response_body_bytes_total',
  'counter',
  'Response body bytes sent, per route.',
);
export const RECEIVED = family(
  'porta_http_received_bytes_total',
  'counter',
  'Bytes read from HTTP clients, per listener (counted when a connection closes).',
);
export const SENT = family(
  'porta_http_sent_bytes_total',
  'counter',
  'Bytes written to HTTP clients, per listener (counted when a connection closes).',
);
export const ACCEPTED = family(
  'porta_http_connections_accepted_total',
  'counter',
  'HTTP connections accepted, per listener.',
);
export const OPEN = family(
  'porta_http_connections_open',
  'gauge',
  'HTTP connections open now, per listener (all workers together).',
);
export const IDLE = family(
  'porta_http_connections_idle',
  'gauge',
  'Open HTTP connections idle between requests (keep-alive), per listener.',
);
export const REJECTED = family(
  'porta_connections_rejected_total',
  'counter',
  'Connections refused or dropped: reason "cap" (limits.max_connections) or "fd_limit" (out of file descriptors).',
);
export const PROTOCOL_ERRORS = family(
  'porta_http_protocol_errors_total',
  'counter',
  'Requests the engine refused before any handler, by status (400, 408, 413, 414, 431, ...).',
);
export const RELOADS = family(
  'porta_reloads_total',
  'counter',
  'Configuration reloads, by result ("ok", "failed").',
);
export const RESTARTS = family(
  'porta_worker_restarts_total',
  'counter',
  'Workers that died and were started again.',
);
export const GENERATION = family(
  'porta_config_generation',
  'gauge',
  'Configuration generation: 1 at start, one more per successful reload.',
);
export const WORKERS = family(
  'porta_workers_serving',
  'gauge',
  'Worker processes serving now (1 for a single process).',
);
export const MEMORY = family(
  'porta_process_resident_memory_bytes',
  'gauge',
  'Resident memory per process ("primary" or the worker number).',
);
export const HEAP = family('porta_process_heap_used_bytes', 'gauge', 'V8 heap in use per process.');
export const LOOP_DELAY = family(
  'porta_event_loop_delay_seconds',
  'gauge',
  'Event-loop delay per process over the last scrape interval, by quantile (0.5, 0.99, 1 = max).',
);
export const UPSTREAM_REQUESTS = family(
  'porta_upstream_requests_total',
  'counter',
  'Requests sent to an upstream address (every attempt, retries included), per proxy route.',
);
export const UPSTREAM_FAILURES = family(
  'porta_upstream_failures_total',
  'counter',
  'Attempts an upstream failed, by kind (connect, connect_timeout, tls, header_timeout, idle_timeout, reset, bad_response, stale).',
);
export const UPSTREAM_RETRIES = family(
  'porta_upstream_retries_total',
  'counter',
  'Failed attempts on an upstream that were tried again (on another upstream, or a new connection).',
);
export const UPSTREAM_HEALTHY = family(
  'porta_upstream_healthy',
  'gauge',
  'Upstream health as the balancers see it: 1 up (some process may send to it), 0 down (passive time-out or failed probes).',
  'max',
);
export const UPSTREAM_IN_FLIGHT = family(
  'porta_upstream_in_flight',
  'gauge',
  'Requests and tunnels in flight to an upstream address now (all workers together).',
);
export const FORWARD_SESSIONS = family(
  'porta_forward_sessions_total',
  'counter',
  'Forwarded sessions opened: TCP connections accepted, UDP client sessions started, per listener.',
);
export const FORWARD_OPEN = family(
  'porta_forward_sessions_open',
  'gauge',
  'Forwarded sessions open now, per listener (all workers together).',
);
export const FORWARD_RECEIVED = family(
  'porta_forward_received_bytes_total',
  'counter',
  'Bytes received from forward clients and passed to targets, per listener.',
);
export const FORWARD_SENT = family(
  'porta_forward_sent_bytes_total',
  'counter',
  'Bytes from targets sent to forward clients, per listener.',
);

export const FAMILIES: readonly MetricFamily[] = [
  REQUESTS,
  DURATION,
  RESPONSE_BYTES,
  RECEIVED,
  SENT,
  ACCEPTED,
  OPEN,
  IDLE,
  REJECTED,
  PROTOCOL_ERRORS,
  UPSTREAM_REQUESTS,
  UPSTREAM_FAILURES,
  UPSTREAM_RETRIES,
  UPSTREAM_HEALTHY,
  UPSTREAM_IN_FLIGHT,
  FORWARD_SESSIONS,
  FORWARD_OPEN,
  FORWARD_RECEIVED,
  FORWARD_SENT,
  RELOADS,
  RESTARTS,
  GENERATION,
  WORKERS,
  MEMORY,
  HEAP,
  LOOP_DELAY,
];

/** Latency buckets (seconds, upper bounds), +Inf implied: 1 ms to 10 s. */
export const DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Method classes counted apart; anything else is "other". */
export const METHOD_CLASSES: readonly string[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'other',
];

/** Status classes: "0xx" means no response was sent (the client left first). */
export const STATUS_CLASSES: readonly string[] = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** Why an upstream attempt failed, as the `kind` label says it (index = slot in UpstreamStats.failures). */
export const UPSTREAM_FAILURE_KINDS: readonly string[] = [
  'connect',
  'connect_timeout',
  'tls',
  'header_timeout',
  'idle_timeout',
  'reset',
  'bad_response',
  'stale',
];
