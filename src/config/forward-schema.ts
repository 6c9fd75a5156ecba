// The `forward:` stream handler's config (TCP/UDP port forwarding): schema with a doc on every field, and its options.
import { z } from 'zod';
import { BALANCE_NAMES } from '../balance/balancer.js';
import { parseTarget } from './forward-options.js';
import { duration } from './unit-fields.js';

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
