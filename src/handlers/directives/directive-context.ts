// What directives get besides their options: where server-wide state lives, the route, the log.
import type { SharedState } from '../../shared/shared-state.js';

export interface DirectiveContext {
  /** Rate budgets and failed-login counts for the whole server (the primary's in a cluster). */
  readonly shared: SharedState;
  /** "site 0 route 2 (/api)": the same in every worker, so they share one store. */
  readonly routeId: string;
  readonly logger: { warning(message: string): void };
}
