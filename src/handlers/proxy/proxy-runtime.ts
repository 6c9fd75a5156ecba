// What every call of one proxy handler shares: options, upstreams, the head policy, open tunnels, the logger.
import type { Socket } from 'node:net';
import type { Exchange } from '../../http/exchange.js';
import { UpstreamFailure } from './client/upstream-failure.js';
import { TrustedProxies } from './forwarding.js';
import type { ProxyContext, ProxyLogger, ProxyOptions } from './options.js';
import { type HeadPolicy, buildRequestHead, upstreamTarget } from './request-head.js';
import { UpstreamGroup } from './upstream-group.js';
import type { UpstreamPeer } from './upstream-peer.js';

export class ProxyRuntime {
  readonly options: ProxyOptions;
  readonly logger: ProxyLogger;
  readonly group: UpstreamGroup;
  /** Open tunnels (WebSocket and other upgrades): both sockets, for counting and debugging. */
  readonly tunnels = new Set<Socket>();
  readonly #policy: HeadPolicy;

  constructor(options: ProxyOptions, context: ProxyContext) {
    this.options = options;
    this.logger = context.logger;
    const trusted = new TrustedProxies(options.trustedProxies);
    this.#policy = {
      trusted,
      forwardedHeaders: options.forwardedHeaders,
      via: options.via === '' ? '' : ` ${options.via}`,
      hostHeader: options.hostHeader,
      basePath: options.basePath,
      stripPrefix: options.stripPrefix,
      underscores: options.underscoresInHeaders,
    };
    this.group = new UpstreamGroup(options, context, trusted);
  }

  targetFor(exchange: Exchange): string {
    return upstreamTarget(exchange, this.#policy);
  }

  headFor(exchange: Exchange, target: string, peer: UpstreamPeer, upgrade: boolean): string {
    return buildRequestHead(exchange, target, this.#policy, peer.hostField, upgrade);
  }

  protocolFailure(message: string): UpstreamFailure {
    return new UpstreamFailure('protocol', message, true, false);
  }

  /**
   * Stops timers and closes pooled connections. Open tunnels are left alone: a reload must not
   * drop WebSockets (Caddy's #5471); on stop, the engine's shutdown deadline cuts them.
   */
  close(): void {
    this.group.close();
  }
}
