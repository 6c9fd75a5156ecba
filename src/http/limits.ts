// Request limits and connection timeouts every HTTP engine (HTTP/1.1, HTTP/2) enforces, from the config.

export interface RequestLimits {
  /** Longest request line in bytes (414 beyond); HTTP/2 counts method, path and authority. */
  readonly maxRequestLine: number;
  /** Largest header section in bytes (431 beyond; HTTP/2: SETTINGS_MAX_HEADER_LIST_SIZE). */
  readonly maxHeaderSize: number;
  /** Most header fields (431 beyond). */
  readonly maxHeaders: number;
  /** Largest body in bytes, 0 for no limit (413 beyond). */
  readonly maxBodySize: number;
}

export interface ConnectionTimeouts {
  /** A request head must arrive whole within this (slowloris); HTTP/2: the preface and SETTINGS too. */
  readonly headerMs: number;
  /** Longest pause between two reads of a request body. */
  readonly bodyMs: number;
  /** How long a connection with nothing in flight stays open. */
  readonly idleMs: number;
  /** Longest pause while the client does not read the response. */
  readonly sendMs: number;
  /** A body must bring at least this many bytes per window while it is read; 0 = no minimum. */
  readonly minBodyBytes: number;
  readonly bodyRateWindowMs: number;
}

/** HTTP/2 only (RFC 9113): stream limits and the rapid-reset guard. */
export interface Http2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS we announce; streams beyond it are refused. */
  readonly maxConcurrentStreams: number;
  /**
   * Most streams a client may cancel (RST_STREAM before our response ended) per connection in
   * RESET_WINDOW_MS; one more gets GOAWAY ENHANCE_YOUR_CALM (CVE-2023-44487, rapid reset).
   */
  readonly maxResets: number;
}

/** The window `Http2Limits.maxResets` counts over. */
export const RESET_WINDOW_MS = 10_000;
