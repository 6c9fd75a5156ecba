// A validated `forward:` section as the listener's ForwardOptions, and the target parser both use (no zod here: workers build plans without it).
import type { PeerSpec } from '../balance/peer-set.js';
import type { ForwardOptions } from '../forward/index.js';
import { parseListenAddress } from '../net/listen-address.js';
import type { ForwardConfig } from './forward-schema.js';
import { parseDuration } from './units.js';

/** "host:port" with a host and a port (1-65535); the same spelling as listen addresses. */
export function parseTarget(text: string): { host: string; port: number } | string {
  try {
    const address = parseListenAddress(text);
    if (address.host === undefined || address.port === 0) {
      return `"${text}": expected a target host:port like 127.0.0.1:80, app:80 or [::1]:80`;
    }
    return { host: address.host, port: address.port };
  } catch (error) {
    return error instanceof Error
      ? error.message.replace('listen address', 'target')
      : String(error);
  }
}

/** Turns a validated `forward:` section into the listener's options. */
export function forwardOptionsFromConfig(
  config: ForwardConfig,
  defaults: { readonly maxConnections: number; readonly shutdownMs: number },
): ForwardOptions {
  const targets: PeerSpec[] = config.to.map((entry) => {
    const text = typeof entry === 'string' ? entry : entry.address;
    const parsed = parseTarget(text);
    if (typeof parsed === 'string') throw new Error(parsed); // the schema has checked it already
    return { ...parsed, weight: typeof entry === 'string' ? 1 : entry.weight, label: text };
  });
  const udp = config.protocol === 'udp';
  return {
    protocol: config.protocol,
    targets,
    balance: config.balance,
    connectTimeoutMs: parseDuration(config.connect_timeout),
    idleTimeoutMs: parseDuration(udp ? config.session_timeout : config.idle_timeout),
    maxConnections: config.max_connections ?? defaults.maxConnections,
    proxyProtocol: config.proxy_protocol === 'v1' ? 1 : config.proxy_protocol === 'v2' ? 2 : 0,
    retries: config.retries,
    passive: {
      maxFails: config.passive_health.max_fails,
      failTimeoutMs: parseDuration(config.passive_health.fail_timeout),
    },
    resolveIntervalMs: parseDuration(config.resolve_interval),
    logConnections: config.log_connections,
    shutdownMs: defaults.shutdownMs,
  };
}
