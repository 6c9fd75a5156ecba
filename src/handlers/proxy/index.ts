// The reverse proxy handler's public face: options types and the factory.
import type { Exchange, Handler } from '../../http/exchange.js';
import type { ProxyContext, ProxyOptions } from './options.js';
import { ProxyCall } from './proxy-call.js';
import { ProxyRuntime } from './proxy-runtime.js';

export type {
  ActiveHealthCheckOptions,
  HostHeaderPolicy,
  ProxyContext,
  ProxyLogger,
  ProxyOptions,
} from './options.js';

class ProxyHandler implements Handler {
  readonly runtime: ProxyRuntime;

  constructor(options: ProxyOptions, context: ProxyContext) {
    this.runtime = new ProxyRuntime(options, context);
  }

  handle(exchange: Exchange): Promise<void> | undefined {
    return new ProxyCall(this.runtime, exchange).start();
  }

  close(): Promise<void> {
    this.runtime.close();
    return Promise.resolve();
  }
}

/**
 * Builds a proxy to `options.upstreams`; `close()` stops health checks and DNS timers and closes
 * pooled connections and open tunnels.
 */
export function createProxyHandler(
  options: ProxyOptions,
  context: ProxyContext,
): Handler & { close(): Promise<void> } {
  return new ProxyHandler(options, context);
}
