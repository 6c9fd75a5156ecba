// Starts porta from a Config and reloads it live: listeners kept by address, routes swapped atomically.
import { type Plan, type TlsListenerPlan, buildPlan, loadPlan } from '../config/build-plan.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { type AccessLog, createAccessLog } from '../log/access-log.js';
import { type Logger, createLogger } from '../log/logger.js';
import type { AdminSource } from '../handlers/admin/index.js';
import type { AdminEndpoint } from './admin-endpoint.js';
import { ProcessMetrics } from '../metrics/process-metrics.js';
import type { Series } from '../metrics/snapshot.js';
import { ConnectionGuard } from './connection-guard.js';
import { type SharedState, createLocalSharedState } from '../shared/shared-state.js';
import { TicketKeys, rotateTicketKeys } from '../net/ticket-keys.js';
import { HttpListener } from './http-listener.js';
import { Readiness } from '../http/readiness.js';
import type { TlsAcceptorOptions } from '../net/tls-acceptor.js';
import type { StreamListener } from './stream-listener.js';

export interface BoundAddress {
  readonly host: string;
  readonly port: number;
  /** "http://127.0.0.1:8080" or "tcp://127.0.0.1:7" */
  readonly url: string;
}

export interface StopOptions {
  readonly handOver?: boolean;
  readonly delay?: boolean;
  /** Called once every listener has stopped accepting (their connections still draining). */
  readonly onStopAccepting?: () => void;
}

export interface RunningServer extends AdminSource {
  /** What is bound now, in config order (HTTP listeners first, then TCP listeners). */
  readonly addresses: readonly BoundAddress[];
  readonly logger: Logger;
  /**
   * Loads a new config without dropping a request: a bad config throws and the running one
   * stays; unchanged listeners keep their sockets, new ones open, removed ones drain and close.
   */
  reload(input: ConfigInput | Config): Promise<void>;
  /**
   * `reload` for a config validated already (defaults filled in, elsewhere: a thread, a check
   * child): this process loads no schema library for it.
   */
  reloadValidated(config: Config): Promise<void>;
  /**
   * Graceful stop: stop accepting, finish in-flight requests (up to the shutdown timeout), close.
   * `handOver` (a reload to another process) gives idle keep-alive connections a moment to send
   * one last request, answered with `Connection: close`, instead of closing them at once.
   * `delay: false` skips `timeouts.shutdown_delay` (a cluster primary's own listeners: its
   * workers served the delay already, and its UDP forwards with them). `onStopAccepting` tells
   * when no listener accepts any more (a rolling reload waits for it before it reports done).
   */
  stop(options?: StopOptions): Promise<void>;
  /**
   * Opens the log files again by their paths (logrotate's convention, SIGUSR1): the access log,
   * and the error log when the server made it (a logger passed in is its owner's to reopen).
   */
  reopenLogs(): void;
}

export interface StartOptions {
  /** Use this logger instead of one built from config.log. */
  readonly logger?: Logger;
  /**
   * How many processes serve this config side by side (a cluster's workers): each keeps its
   * share of limits.max_connections. Default 1.
   */
  readonly processes?: number;
  /** Server-wide state kept elsewhere (a cluster worker's line to the primary); else kept here. */
  readonly shared?: SharedState;
  /**
   * Who the admin listener (`admin:`) speaks for: by default this server itself; a cluster
   * primary passes its view of the workers; false (a worker) serves no admin listener.
   */
  readonly admin?: AdminSource | false;
  /**
   * This process's counters (a worker labels its own); by default a single process's, which
   * also counts its reloads.
   */
  readonly metrics?: ProcessMetrics;
  /**
   * Session ticket keys shared with other processes (a cluster worker gets them from the
   * primary). Without them this server makes its own and rotates them itself.
   */
  readonly ticketKeys?: TicketKeys;
}

/** Validates `input`, builds the plan, binds everything (all or nothing) and starts serving. */
export async function start(
  input: ConfigInput | Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  return startValidated(await validated(input), options);
}

/**
 * The schema library is loaded only where a config is validated: a cluster worker serves the
 * config its primary's check validated, and never loads it.
 */
async function validated(input: ConfigInput | Config): Promise<Config> {
  const { validateConfig } = await import('../config/validate.js');
  return validateConfig(input);
}

/** `start` for a config validated already (defaults filled in): builds, binds, serves. */
export async function startValidated(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const logger =
    options.logger ??
    createLogger({
      level: config.log.level,
      path: config.log.error_path,
      format: config.log.format,
    });
  // One for the life of the server: reloads keep rate budgets, failed logins and health.
  const shared =
    options.shared ??
    createLocalSharedState({
      warn: (message) => {
        logger.warning(message);
      },
    });
  const metrics = options.metrics ?? singleProcessMetrics();
  // Someone may scrape this process (its own admin listener, or the primary's for a worker).
  if (config.admin !== undefined) metrics.watchLoopDelay();
  const readiness = new Readiness();
  const plan = await withInternalCertificates(
    await buildPlan(config, {
      logger,
      shared,
      metrics: config.admin === undefined ? undefined : metrics,
      readiness,
    }),
    logger,
  );
  await loadOrRelease(plan);
  const access = createAccessLog({ format: plan.log.access, path: plan.log.access_path, logger });
  const guard = new ConnectionGuard(config.limits.max_connections, options.processes ?? 1, logger);
  metrics.fdErrors = () => guard.fdErrorsTotal;
  const ownKeys = options.ticketKeys === undefined;
  const keys = options.ticketKeys ?? new TicketKeys();
  const server = new PortaServer(plan, logger, access, options.logger === undefined, {
    guard,
    shared,
    keys,
    metrics,
    counting: config.admin !== undefined,
    readiness,
  });
  server.countsReloads = options.metrics === undefined;
  if (ownKeys) server.onStop(rotateTicketKeys(keys));
  try {
    await server.openAll();
    if (options.admin !== false) await server.openAdmin(config, options.admin ?? server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Loads the plan's handlers (app modules); on failure releases them and throws. */
async function loadOrRelease(plan: Plan): Promise<void> {
  try {
    await loadPlan(plan);
  } catch (error) {
    await Promise.all(plan.handlers.map((h) => h.close()));
    throw error;
  }
}

/** What a server keeps for its whole life, across reloads. */
interface ServerParts {
  readonly guard: ConnectionGuard;
  readonly shared: SharedState;
  readonly keys: TicketKeys;
  /** This process's counters. */
  readonly metrics: ProcessMetrics;
  /** Started with an admin listener: routes and listeners count (else nobody reads them). */
  readonly counting: boolean;
  /** What `health` routes answer: turned off when a full graceful stop begins. */
  readonly readiness: Readiness;
}

class PortaServer implements RunningServer {
  readonly logger: Logger;
  #plan: Plan;
  #access: AccessLog;
  readonly #ownLogger: boolean;
  readonly #shared: SharedState;
  #http = new Map<string, HttpListener>();
  #streams = new Map<string, StreamListener>();
  #stopping: Promise<void> | null = null;
  #started = false;
  #admin: AdminEndpoint | null = null;
  /** Who the admin listener speaks for; null: this process serves none (a worker). */
  #adminSource: AdminSource | null = null;
  #adminContext: { readonly shared: SharedState; readonly logger: Logger };
  /** This process's counters. */
  readonly metricsOf: ProcessMetrics;
  /**
   * What routes and listeners count into: the metrics when the server was started with an
   * admin listener (someone can read them), else nothing, so a server without one pays nothing.
   */
  #counted: ProcessMetrics | undefined;
  countsReloads = false;
  #reloading: Promise<void> = Promise.resolve();
  readonly #guard: ConnectionGuard;
  readonly #keys: TicketKeys;
  readonly #readiness: Readiness;
  readonly #onStop: (() => void)[] = [];

  constructor(
    plan: Plan,
    logger: Logger,
    access: AccessLog,
    ownLogger: boolean,
    parts: ServerParts,
  ) {
    this.metricsOf = parts.metrics;
    this.#counted = parts.counting ? parts.metrics : undefined;
    this.#guard = parts.guard;
    this.#keys = parts.keys;
    this.#readiness = parts.readiness;
    this.#plan = plan;
    this.#shared = parts.shared;
    this.logger = logger;
    this.#access = access;
    this.#ownLogger = ownLogger;
    this.#adminContext = { shared: parts.shared, logger };
  }

  /** Every listener bound and no stop begun: what /readyz answers for one process. */
  ready(): boolean {
    return this.#started && this.#stopping === null;
  }

  /** One process speaks for itself: its own counters are the server's. */
  metrics(): Promise<readonly Series[]> {
    return Promise.resolve(this.metricsOf.snapshot());
  }

  /** The admin listener, opened after the public ones (listeners bound, then ready). */
  async openAdmin(config: Config, source: AdminSource): Promise<void> {
    this.#adminSource = source;
    await this.#applyAdmin(config);
  }

  /** Opens, moves or closes the admin listener; its code loads with the first `admin:`. */
  async #applyAdmin(config: Config): Promise<void> {
    if (this.#adminSource === null) return;
    if (this.#admin === null) {
      if (config.admin === undefined) return;
      const { AdminEndpoint } = await import('./admin-endpoint.js');
      this.#admin = new AdminEndpoint(this.#adminSource, this.logger);
    }
    await this.#admin.apply(config, this.#adminContext);
  }

  /** Runs `release` once the server has stopped (timers it owns). */
  onStop(release: () => void): void {
    this.#onStop.push(release);
  }

  get addresses(): BoundAddress[] {
    const out: BoundAddress[] = [];
    for (const l of this.#http.values()) out.push({ host: l.host, port: l.port, url: l.url });
    for (const s of this.#streams.values()) out.push(...s.addresses);
    return out;
  }

  async openAll(): Promise<void> {
    const access = this.#plan.log.access === 'off' ? null : this.#access;
    for (const listenerPlan of this.#plan.http) {
      const listener = await HttpListener.open(
        listenerPlan,
        this.logger,
        access,
        this.#keys,
        this.#guard,
        this.#counted ?? null,
      );
      this.#http.set(listenerPlan.key, listener);
      this.logger.info(`Listening on ${listener.url}`);
    }
    for (const streamPlan of this.#plan.streams) {
      const { openStreamListener } = await loadStreamCode();
      const stream = await openStreamListener(
        streamPlan,
        this.logger,
        this.#keys,
        this.#counted ?? null,
      );
      this.#streams.set(streamPlan.key, stream);
    }
    this.#started = true;
  }

  reload(input: ConfigInput | Config): Promise<void> {
    return this.#queue(async () => this.#reload(await validated(input)));
  }

  reloadValidated(config: Config): Promise<void> {
    return this.#queue(() => this.#reload(config));
  }

  #queue(reload: () => Promise<void>): Promise<void> {
    // One reload at a time, in the order asked.
    const next = this.#reloading.then(reload);
    // Counted by whoever owns the counters: this server unless given them (a cluster counts its own).
    const control = this.countsReloads ? this.metricsOf.control : null;
    if (control !== null) {
      next.then(
        () => control.reloadsOk++,
        () => control.reloadsFailed++,
      );
    }
    this.#reloading = next.catch(() => undefined);
    return next;
  }

  async #reload(config: Config): Promise<void> {
    if (this.#stopping !== null) throw new Error('the server is stopping');
    const plan = await withInternalCertificates(
      await buildPlan(config, {
        logger: this.logger,
        shared: this.#shared,
        metrics: this.#counted,
        readiness: this.#readiness,
      }),
      this.logger,
    );
    await loadOrRelease(plan); // a module that fails to load keeps the running plan
    const old = this.#plan;
    const access = createAccessLog({
      format: plan.log.access,
      path: plan.log.access_path,
      logger: this.logger,
    });
    const accessSink = plan.log.access === 'off' ? null : access;
    // Open what is new first: if a bind fails, nothing has changed yet.
    const opened = new Map<string, HttpListener>();
    const openedStreams = new Map<string, StreamListener>();
    try {
      const certificates = new Map<HttpListener, [TlsAcceptorOptions, TlsListenerPlan]>();
      for (const listenerPlan of plan.http) {
        const kept = this.#http.get(listenerPlan.key);
        if (kept === undefined) continue;
        const tls = HttpListener.prepare(listenerPlan, kept);
        if (tls !== null && listenerPlan.tls !== null)
          certificates.set(kept, [tls, listenerPlan.tls]);
      }
      for (const listenerPlan of plan.http) {
        if (this.#http.has(listenerPlan.key)) continue;
        opened.set(
          listenerPlan.key,
          await HttpListener.open(
            listenerPlan,
            this.logger,
            accessSink,
            this.#keys,
            this.#guard,
            this.#counted ?? null,
          ),
        );
      }
      // Last step that may fail (a context OpenSSL refuses): the old certificates stay then.
      for (const [listener, [tls, tlsPlan]] of certificates)
        listener.updateCertificates(tls, tlsPlan);
      for (const streamPlan of plan.streams) {
        const current = this.#streams.get(streamPlan.key);
        if (current !== undefined) continue; // same address: replaced below when changed
        openedStreams.set(
          streamPlan.key,
          await (
            await loadStreamCode()
          ).openStreamListener(streamPlan, this.logger, this.#keys, this.#counted ?? null),
        );
      }
      // The admin listener last: if it cannot bind, what was opened above closes again.
      await this.#applyAdmin(config);
    } catch (error) {
      await Promise.all([...opened.values()].map((l) => l.close(0)));
      await Promise.all([...openedStreams.values()].map((s) => s.close()));
      await Promise.all(plan.handlers.map((h) => h.close()));
      await access.close();
      throw error;
    }
    // Swap: from here on every new request sees the new plan.
    this.#guard.update(config.limits.max_connections);
    const http = new Map<string, HttpListener>();
    for (const listenerPlan of plan.http) {
      const kept = this.#http.get(listenerPlan.key);
      if (kept !== undefined) {
        kept.update(listenerPlan, accessSink);
        http.set(listenerPlan.key, kept);
      } else {
        const listener = opened.get(listenerPlan.key) as HttpListener;
        http.set(listenerPlan.key, listener);
        this.logger.info(`Listening on ${listener.url}`);
      }
    }
    const removed = [...this.#http.entries()].filter(([key]) => !http.has(key));
    this.#http = http;
    const streams = new Map<string, StreamListener>();
    const retiredStreams: StreamListener[] = [];
    for (const streamPlan of plan.streams) {
      const current = this.#streams.get(streamPlan.key);
      if (current === undefined) {
        streams.set(streamPlan.key, openedStreams.get(streamPlan.key) as StreamListener);
      } else if (current.signature === (await loadStreamCode()).streamSignature(streamPlan)) {
        streams.set(streamPlan.key, current); // unchanged: its connections and tunnels live on
      } else {
        // Changed in place: the old listener must let go of the port before the new one binds.
        await current.close();
        streams.set(
          streamPlan.key,
          await (
            await loadStreamCode()
          ).openStreamListener(streamPlan, this.logger, this.#keys, this.#counted ?? null),
        );
      }
    }
    for (const [key, stream] of this.#streams) if (!streams.has(key)) retiredStreams.push(stream);
    this.#streams = streams;
    const oldAccess = this.#access;
    this.#access = access;
    this.#plan = plan;
    // A server with nothing to serve (a cluster primary without UDP forwards) has nothing to say.
    if (plan.http.length + plan.streams.length + removed.length + retiredStreams.length > 0) {
      this.logger.info(
        `Reloaded: ${plan.http.length} HTTP listener(s), ${plan.streams.length} stream listener(s)` +
          (removed.length > 0 ? `, closing ${removed.map(([k]) => k).join(', ')}` : ''),
      );
    }
    // Retire the old: removed listeners drain; old handlers are released once in-flight
    // requests had their shutdown time to finish.
    void (async () => {
      await Promise.all([
        ...removed.map(([, l]) => l.close(old.shutdownMs, HAND_OVER_GRACE_MS)),
        ...retiredStreams.map((s) => s.close()),
      ]);
      await delay(old.shutdownMs);
      await Promise.all(old.handlers.map((h) => h.close()));
      await oldAccess.close();
    })().catch((error: unknown) => {
      this.logger.warning(`Releasing the old configuration failed: ${String(error)}`);
    });
  }

  reopenLogs(): void {
    this.#access.reopen();
    if (this.#ownLogger) this.logger.reopen?.();
  }

  stop(options: StopOptions = {}): Promise<void> {
    const handOver = options.handOver === true;
    // A hand-over (rolling reload) is not the server stopping: its health routes stay ready.
    if (!handOver) this.#readiness.stopping();
    this.#stopping ??= this.#stopAll(
      handOver,
      !handOver && options.delay !== false,
      options.onStopAccepting,
    );
    return this.#stopping;
  }

  async #stopAll(
    handOver: boolean,
    delayed: boolean,
    onStopAccepting: (() => void) | undefined,
  ): Promise<void> {
    await this.#reloading;
    // shutdown_delay: go on serving, not ready, so load balancers stop sending before we close.
    if (delayed && this.#plan.shutdownDelayMs > 0) await delay(this.#plan.shutdownDelayMs);
    const idleGraceMs = handOver ? HAND_OVER_GRACE_MS : 0;
    const plan = this.#plan;
    // Each close stops accepting at once (synchronously), then drains.
    const closing = Promise.all([
      ...[...this.#http.values()].map((l) => l.close(plan.shutdownMs, idleGraceMs)),
      ...[...this.#streams.values()].map((s) => s.close()),
    ]);
    onStopAccepting?.();
    await closing;
    await Promise.all(plan.handlers.map((h) => h.close()));
    for (const release of this.#onStop) release();
    // Last: /readyz answers 503 (and /metrics still answers) while the listeners drain.
    await this.#admin?.close();
    await this.#access.close();
    this.metricsOf.close();
    if (this.#ownLogger) await this.logger.close();
    else await this.logger.flush();
  }
}

/**
 * TCP echo and forward listeners' code: loaded when a plan first has one (most servers have
 * neither, before or after a reload); Node's module map keeps it from then on.
 */
function loadStreamCode(): Promise<typeof import('./stream-listener.js')> {
  return import('./stream-listener.js');
}

/** A single process counts its own reloads and is its one worker. */
function singleProcessMetrics(): ProcessMetrics {
  const metrics = new ProcessMetrics('main');
  metrics.control = { reloadsOk: 0, reloadsFailed: 0, workerRestarts: 0, workersServing: () => 1 };
  return metrics;
}

/**
 * The plan with its `tls: internal` sites' certificates issued (or reused from disk); the local
 * CA's code is loaded only for a config that has such a site.
 */
async function withInternalCertificates(plan: Plan, logger: Logger): Promise<Plan> {
  if (!plan.http.some((l) => l.tls?.sites.some((s) => s.certificate === null) === true)) {
    return plan;
  }
  const { issueInternalCertificates, reportIssued } =
    await import('../tls/internal-certificates.js');
  return issueInternalCertificates(plan, undefined, (issued) => {
    reportIssued(issued, logger);
  });
}

/** How long idle keep-alive connections may still send one request when handed over. */
const HAND_OVER_GRACE_MS = 1000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
