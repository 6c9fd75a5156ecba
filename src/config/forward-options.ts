// A validated `forward:` section as the listener's ForwardOptions, and the target parser both use (no zod here: workers build plans without it).
import { resolve } from 'node:path';
import { PortaError } from '../errors.js';
import type { PeerSpec } from '../balance/peer-set.js';
import type { ForwardOptions } from '../forward/index.js';
import { parseListenAddress } from '../net/listen-address.js';
import { loadCertificate } from '../net/tls-certificate.js';
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

/** What a forward's options take from the rest of the config. */
export interface ForwardDefaults {
  readonly maxConnections: number;
  readonly shutdownMs: number;
  /** `timeouts.handshake`, for TLS forwards. */
  readonly handshakeMs: number;
  /** Relative certificate paths start here. */
  readonly baseDir: string;
  /** "streams[0].forward": names this section in errors about its files. */
  readonly where: string;
}

/** Reads and checks the certificate now: a bad pair fails check and reload, naming the file. */
function forwardTls(config: ForwardConfig, defaults: ForwardDefaults): ForwardOptions['tls'] {
  if (config.tls === undefined) return null;
  try {
    const certificate = loadCertificate({
      certPath: resolve(defaults.baseDir, config.tls.cert),
      keyPath: resolve(defaults.baseDir, config.tls.key),
    });
    return { certificate, handshakeTimeoutMs: defaults.handshakeMs };
  } catch (error) {
    if (!(error instanceof PortaError)) throw error;
    throw new PortaError(error.code, `${defaults.where}.tls: ${error.message}`, { cause: error });
  }
}

/** Turns a validated `forward:` section into the listener's options. */
export function forwardOptionsFromConfig(
  config: ForwardConfig,
  defaults: ForwardDefaults,
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
    tls: forwardTls(config, defaults),
  };
}
