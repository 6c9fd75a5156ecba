// What a running server (one process or a cluster) offers the signal handlers, and its stop budget.
import { parseDuration } from '../config/units.js';
import type { Config } from '../config/schema.js';
import type { ServerTarget } from '../process/signals.js';

/** What both modes offer the signal handlers. */
export interface Target extends ServerTarget {
  readonly urls: readonly string[];
  readonly shutdownMs: number;
}

/** A graceful stop's budget: serving on for shutdown_delay, then draining for shutdown. */
export function stopBudgetMs(config: Config): number {
  return parseDuration(config.timeouts.shutdown) + parseDuration(config.timeouts.shutdown_delay);
}
