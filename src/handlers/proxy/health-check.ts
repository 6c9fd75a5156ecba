// Active health checks: GET a path on every peer at an interval; results go to the server-wide health view.
import { describeTlsError, dialUpstream } from './client/upstream-tls.js';
import type { ActiveHealthCheckOptions } from './options.js';
import type { UpstreamPeer } from './upstream-peer.js';

/** The status of one probe, or an error text. */
type ProbeResult = { readonly status: number } | { readonly error: string };

/** One GET over a fresh connection (TLS for https upstreams, verified alike), closed after the status line; never rejects. */
export function probe(peer: UpstreamPeer, options: ActiveHealthCheckOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const tls = peer.pool.tls;
    const { socket } = dialUpstream(peer.address, peer.port, tls, null);
    let received = '';
    let settled = false;
    const done = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      done({ error: `no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      received += text;
      const eol = received.indexOf('\r\n');
      if (eol < 0) {
        if (received.length > 1024) done({ error: 'invalid status line' });
        return;
      }
      // RFC 9112 §4: HTTP/1.x SP 3DIGIT
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.slice(0, eol));
      done(status === null ? { error: 'invalid status line' } : { status: Number(status[1]) });
    });
    socket.on('error', (error: Error) => {
      done({ error: tls === null ? error.message : describeTlsError(error) });
    });
    socket.on('close', () => {
      done({ error: 'connection closed before a status line' });
    });
    socket.write(
      `GET ${options.path} HTTP/1.1\r\nHost: ${peer.hostField}\r\n` +
        'User-Agent: porta-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n',
    );
  });
}

/** Where a probe's result goes: ok by the configured status range, and what was seen. */
export type ProbeSink = (peer: UpstreamPeer, ok: boolean, detail: string) => void;

/** Runs in one process per server (the primary chooses it); the others only hear the results. */
export class HealthChecker {
  readonly #options: ActiveHealthCheckOptions;
  readonly #peers: () => readonly UpstreamPeer[];
  readonly #onResult: ProbeSink;
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(
    options: ActiveHealthCheckOptions,
    peers: () => readonly UpstreamPeer[],
    onResult: ProbeSink,
  ) {
    this.#options = options;
    this.#peers = peers;
    this.#onResult = onResult;
  }

  start(): void {
    if (this.#timer !== null) return;
    void this.checkAll();
    this.#timer = setInterval(() => {
      void this.checkAll();
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Probes every peer once (a round still running is not overlapped). */
  async checkAll(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await Promise.all(this.#peers().map((peer) => this.#check(peer)));
    } finally {
      this.#running = false;
    }
  }

  async #check(peer: UpstreamPeer): Promise<void> {
    const options = this.#options;
    const result = await probe(peer, options);
    if (this.#timer === null) return; // stopped meanwhile (another process checks now)
    const ok =
      'status' in result &&
      result.status >= options.statusMin &&
      result.status <= options.statusMax;
    this.#onResult(peer, ok, 'status' in result ? `status ${result.status}` : result.error);
  }
}
