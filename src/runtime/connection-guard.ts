// One per process: the HTTP connection cap (its share of the server's) and the open-file watch, both logged sparingly.
import { ConnectionBudget } from '../http/connection-budget.js';
import type { Logger } from '../log/logger.js';
import { ThrottledLog } from '../log/throttled-log.js';
import { connectionShare, countOpenFiles, readOpenFileLimit } from './fd-limit.js';

/** At most one warning line per kind this often, counting what happened meanwhile. */
const WARN_EVERY_MS = 10_000;

export class ConnectionGuard {
  readonly budget: ConnectionBudget;
  readonly #logger: Logger;
  readonly #processes: number;
  #maxConnections: number;
  readonly #capLog: ThrottledLog;
  readonly #fdLog: ThrottledLog;
  /** The soft open-file limit, null when unknown (no /proc). */
  readonly #fdLimit: number | null;
  /** Accepting past this many open connections makes us count descriptors (cheap test first). */
  readonly #fdCheckAt: number;
  /** Within this many descriptors of the limit counts as out of them. */
  readonly #fdMargin: number;
  #fdErrors = 0;
  /** Accept failures for want of descriptors since start (metrics; #fdErrors resets per warning). */
  fdErrorsTotal = 0;
  #lastFdError = '';

  constructor(maxConnections: number, processes: number, logger: Logger) {
    this.#logger = logger;
    this.#processes = processes;
    this.#maxConnections = maxConnections;
    this.#capLog = new ThrottledLog(WARN_EVERY_MS, () => {
      this.#warnCap();
    });
    this.#fdLog = new ThrottledLog(WARN_EVERY_MS, () => {
      this.#warnFiles();
    });
    this.budget = new ConnectionBudget(connectionShare(maxConnections, processes), () => {
      this.#capLog.note();
    });
    this.#fdLimit = readOpenFileLimit();
    const inUse = countOpenFiles() ?? 0;
    // Within 1/16 of the limit (at least 16 descriptors) counts as out of descriptors: libuv
    // keeps one spare, and the listeners, logs and upstreams take some while we look.
    this.#fdMargin = Math.max(16, (this.#fdLimit ?? 0) >> 4);
    this.#fdCheckAt =
      this.#fdLimit === null ? Number.POSITIVE_INFINITY : this.#fdLimit - inUse - this.#fdMargin;
  }

  /** Reload: a new max_connections applies to the next newcomer. */
  update(maxConnections: number): void {
    this.#maxConnections = maxConnections;
    this.budget.limit = connectionShare(maxConnections, this.#processes);
  }

  /**
   * After each admitted connection. When the process runs out of descriptors libuv closes the
   * connections it cannot accept without telling us (its spare-descriptor trick), so we notice
   * by counting ours when we come near the limit.
   */
  onAccepted(): void {
    if (this.budget.open >= this.#fdCheckAt) this.#fdLog.note();
  }

  /** A listener's own error (accept failed, e.g. EMFILE when libuv had no spare left). */
  onListenerError(where: string, error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EMFILE' || code === 'ENFILE') {
      this.#fdErrors++;
      this.fdErrorsTotal++;
      this.#lastFdError = `${where}: ${code}`;
      this.#fdLog.note();
      return;
    }
    this.#logger.error(`Listener ${where}: ${String(error)}`);
  }

  #warnCap(): void {
    const counts = this.budget.takeCounts();
    const share =
      this.#processes > 1 ? `, ${counts.limit} in each of ${this.#processes} workers` : '';
    const made: string[] = [];
    if (counts.closedIdle > 0) made.push(`${counts.closedIdle} idle keep-alive`);
    if (counts.closedSlow > 0) made.push(`${counts.closedSlow} slow request head(s)`);
    this.#logger.warning(
      `Connection cap reached (limits.max_connections ${this.#maxConnections}${share}): ` +
        `refused ${counts.refused} new connection(s)` +
        (made.length > 0 ? `, closed ${made.join(' and ')} to make room` : '') +
        ` (at most one such line per ${WARN_EVERY_MS / 1000} s)`,
    );
  }

  #warnFiles(): void {
    const errors = this.#fdErrors;
    this.#fdErrors = 0;
    const open = countOpenFiles();
    const limit = this.#fdLimit;
    const near = limit !== null && open !== null && open >= limit - this.#fdMargin;
    if (errors === 0 && !near) return;
    const state =
      open === null || limit === null
        ? ''
        : ` (${open} of ${limit} open, ${this.budget.open} connections)`;
    const failures =
      errors > 0 ? `: accept failed ${errors} time(s), last ${this.#lastFdError}` : '';
    this.#logger.warning(
      `Out of file descriptors${state}${failures}; new connections are dropped by the system ` +
        `until some close. Raise the open-file limit (ulimit -n, LimitNOFILE=) or lower ` +
        `limits.max_connections (at most one such line per ${WARN_EVERY_MS / 1000} s)`,
    );
  }
}
