// The static file handler's public face: options types and the factory.
import type { Handler } from '../../http/exchange.js';
import type { StaticContext, StaticOptions } from './options.js';
import { StaticHandler } from './static-handler.js';

export type {
  CorsOptions,
  DotfilePolicy,
  FileCacheOptions,
  StaticContext,
  StaticOptions,
} from './options.js';
export { IMMUTABLE_CACHE_CONTROL } from './options.js';

/**
 * Builds a handler serving `options.root`; `load()` readies what its options need before the
 * first request, `close()` releases its cache and directory watchers.
 */
export function createStaticHandler(
  options: StaticOptions,
  context: StaticContext,
): Handler & { load(): Promise<void>; close(): Promise<void> } {
  return new StaticHandler(options, context);
}
