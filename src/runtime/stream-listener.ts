// Layer-4 listeners (TCP echo; TCP forward plugs in here too) behind one small interface for start and reload.
import type { StreamListenerPlan } from '../config/build-plan.js';
import type { Logger } from '../log/logger.js';
import { formatUrl } from '../net/listen-address.js';
import type { TicketKeys } from '../net/ticket-keys.js';
import type { BoundAddress } from './start.js';

export interface StreamListener {
  readonly key: string;
  /** Same signature after a reload = unchanged: keep it and its open connections. */
  readonly signature: string;
  readonly addresses: readonly BoundAddress[];
  close(): Promise<void>;
}

export function streamSignature(plan: StreamListenerPlan): string {
  return JSON.stringify(plan);
}

export async function openStreamListener(
  plan: StreamListenerPlan,
  logger: Logger,
  keys: TicketKeys,
): Promise<StreamListener> {
  if (plan.forward !== null) return openForwardListener(plan, plan.forward, logger, keys);
  // Loaded on first use, like the forwarder: most servers run neither.
  const { startTcpEcho } = await import('../net/tcp-echo.js');
  const echo = await startTcpEcho([plan.address], {
    maxConnections: plan.maxConnections,
    idleTimeoutMs: plan.idleTimeoutMs,
    logger,
  });
  const addresses = echo.addresses.map((bound) => ({
    host: bound.host,
    port: bound.port,
    url: formatUrl('tcp', bound.host, bound.port),
  }));
  for (const address of addresses) logger.info(`TCP echo listening on ${address.url}`);
  return {
    key: plan.key,
    signature: streamSignature(plan),
    addresses,
    close: () => echo.close(),
  };
}

/** A TCP or UDP forward listener (src/forward), announced with its targets. */
async function openForwardListener(
  plan: StreamListenerPlan,
  options: NonNullable<StreamListenerPlan['forward']>,
  logger: Logger,
  keys: TicketKeys,
): Promise<StreamListener> {
  const { startForward } = await import('../forward/index.js');
  const forward = await startForward(plan.address, options, logger, keys);
  const scheme = options.protocol === 'udp' ? 'udp' : 'tcp';
  const addresses = forward.addresses.map((bound) => ({
    host: bound.host,
    port: bound.port,
    url: formatUrl(scheme, bound.host, bound.port),
  }));
  const targets = options.targets.map((t) => t.label).join(', ');
  const tls = options.tls === null ? '' : ' (TLS terminated here)';
  for (const address of addresses) {
    logger.info(`Forward listening on ${address.url}${tls} -> ${targets}`);
  }
  return {
    key: plan.key,
    signature: streamSignature(plan),
    addresses,
    close: () => forward.close(),
  };
}
