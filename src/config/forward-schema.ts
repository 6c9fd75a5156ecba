// The `forward:` stream handler's config (TCP/UDP port forwarding): schema with a doc on every field, and its options.
import { resolve } from 'node:path';
import { z } from 'zod';
import { PortaError } from '../errors.js';
import { loadCertificate } from '../net/tls-certificate.js';
import { BALANCE_NAMES } from '../balance/balancer.js';
import type { PeerSpec } from '../balance/peer-set.js';
import type { ForwardOptions } from '../forward/index.js';
import { parseListenAddress } from '../net/listen-address.js';
import { parseDuration } from './units.js';
import { duration } from './unit-fields.js';

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

const target = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const parsed = parseTarget(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

/** One forward target, with or without a weight. */
export const ForwardTargetSchema = z.union([
  target.describe('Target host:port, e.g. 127.0.0.1:80 or app:80 (a DNS name is re-resolved).'),
  z
    .object({
      address: target.describe('Target host:port.'),
      weight: z
        .number()
        .int()
        .positive()
        .max(1000)
        .default(1)
        .describe('Relative share of connections.'),
    })
    .strict()
    .describe('A target with a weight.'),
]);

/** Port forwarding. */
export const ForwardSchema = z
  .object({
    to: z.array(ForwardTargetSchema).min(1).describe('Targets, host:port; several are balanced.'),
    protocol: z
      .enum(['tcp', 'udp'])
      .default('tcp')
      .describe('Forward TCP connections or UDP datagrams.'),
    balance: z
      .enum(BALANCE_NAMES)
      .default('round-robin')
      .describe(
        'How a target is picked for each connection (UDP: each client session); header-hash hashes the client address here.',
      ),
    connect_timeout: duration(
      '5s',
      'TCP: time to connect to a target before the next one is tried.',
    ),
    idle_timeout: duration(
      '10m',
      'TCP: a connection with no byte either way for this long is closed. 0 = never.',
    ),
    session_timeout: duration(
      '60s',
      'UDP: a client session with no datagram either way for this long ends.',
    ),
    max_connections: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Open TCP connections (or UDP sessions) at once; default: limits.max_connections.'),
    proxy_protocol: z
      .enum(['off', 'v1', 'v2'])
      .default('off')
      .describe(
        'Send a PROXY protocol header (HAProxy v1 text or v2 binary) to the target first, so it learns the client address. TCP only.',
      ),
    retries: z
      .number()
      .int()
      .nonnegative()
      .default(2)
      .describe('Further targets tried when connecting fails.'),
    passive_health: z
      .object({
        max_fails: z
          .number()
          .int()
          .nonnegative()
          .default(1)
          .describe('Failed connects within fail_timeout that take a target out; 0 = never.'),
        fail_timeout: duration(
          '10s',
          'The window failures are counted in, and how long a target then stays out.',
        ),
      })
      .strict()
      .default({ max_fails: 1, fail_timeout: '10s' })
      .describe('Targets that fail to connect are skipped for a while.'),
    resolve_interval: duration('30s', 'How often target DNS names are looked up again; 0 = once.'),
    tls: z
      .object({
        cert: z
          .string()
          .min(1)
          .describe(
            'PEM file with the certificate, then its intermediates. Relative to the config file.',
          ),
        key: z.string().min(1).describe('PEM file with the unencrypted private key.'),
      })
      .strict()
      .optional()
      .describe(
        "TCP: terminate TLS here (TLS 1.2/1.3, the HTTPS listeners' suites) and forward the cleartext bytes (nginx's stream ssl_certificate).",
      ),
    log_connections: z
      .boolean()
      .default(true)
      .describe('Log one line per closed connection: client, target, bytes each way, duration.'),
  })
  .strict()
  .refine((f) => f.protocol === 'tcp' || f.proxy_protocol === 'off', {
    message: 'proxy_protocol is for TCP forwards only',
    path: ['proxy_protocol'],
  })
  .refine((f) => f.protocol === 'tcp' || f.tls === undefined, {
    message: 'tls is for TCP forwards only (DTLS is not offered)',
    path: ['tls'],
  })
  .describe('Forward connections (or datagrams) to other host:port targets, like docker run -p.');

export type ForwardConfig = z.output<typeof ForwardSchema>;

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
