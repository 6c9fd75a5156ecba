// The admin listener of a running server: opened last, moved on reload when its address changes, closed last.
import { buildAdminPlan } from '../config/build-admin.js';
import type { PlanContext } from '../config/build-plan.js';
import type { Config } from '../config/schema.js';
import type { AdminSource } from '../handlers/admin/index.js';
import type { Logger } from '../log/logger.js';
import { ConnectionGuard } from './connection-guard.js';
import { HttpListener } from './http-listener.js';

/** Its own small cap: a flood on the public ports never locks the operator out of /metrics. */
const ADMIN_MAX_CONNECTIONS = 256;

export class AdminEndpoint {
  readonly #source: AdminSource;
  readonly #logger: Logger;
  readonly #guard: ConnectionGuard;
  #listener: HttpListener | null = null;
  #addressText = '';

  constructor(source: AdminSource, logger: Logger) {
    this.#source = source;
    this.#logger = logger;
    this.#guard = new ConnectionGuard(ADMIN_MAX_CONNECTIONS, 1, logger);
  }

  get url(): string | null {
    return this.#listener?.url ?? null;
  }

  /**
   * Opens, moves or updates the listener for `config` (closes it when `admin:` is gone). A bind
   * failure throws and leaves the current listener as it was.
   */
  async apply(config: Config, context: Pick<PlanContext, 'shared' | 'logger'>): Promise<void> {
    const plan = buildAdminPlan(config, this.#source, context);
    const current = this.#listener;
    if (plan !== null && current !== null && plan.address.text === this.#addressText) {
      current.update(plan, null);
      return;
    }
    const opened =
      plan === null ? null : await HttpListener.open(plan, this.#logger, null, this.#guard);
    this.#listener = opened;
    this.#addressText = plan?.address.text ?? '';
    // "Admin at", not "Listening on": scripts read the first "Listening on" as the site's URL.
    if (opened !== null) {
      this.#logger.info(`Admin (metrics, health, status page) at ${opened.url}`);
    }
    if (current !== null) await current.close(0);
  }

  async close(): Promise<void> {
    const listener = this.#listener;
    this.#listener = null;
    if (listener !== null) await listener.close(1000);
  }
}
