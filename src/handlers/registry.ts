// The explicit map from a route's handler kind to the factory that builds it (no import side effects).
import type { Handler } from '../http/exchange.js';
import { createEchoHandler } from './echo/index.js';
import { type RedirectOptions, createRedirectHandler } from './redirect/index.js';
import { type RespondOptions, createRespondHandler } from './respond/index.js';

/** Options per handler kind, already validated and resolved. */
export interface HandlerOptions {
  respond: RespondOptions;
  redirect: RedirectOptions;
  echo: Record<string, never>;
}

export type HandlerKind = keyof HandlerOptions;

/** A built handler and what it holds (file watchers, pools), released on reload or stop. */
export interface BuiltHandler {
  readonly handler: Handler;
  close(): Promise<void>;
}

const NOTHING_TO_CLOSE = (): Promise<void> => Promise.resolve();

export const handlerFactories: {
  [K in HandlerKind]: (options: HandlerOptions[K]) => BuiltHandler;
} = {
  respond: (options) => ({ handler: createRespondHandler(options), close: NOTHING_TO_CLOSE }),
  redirect: (options) => ({ handler: createRedirectHandler(options), close: NOTHING_TO_CLOSE }),
  echo: () => ({ handler: createEchoHandler(), close: NOTHING_TO_CLOSE }),
};
