// The `proxy:` route handler's config: schema with a doc on every field (proxy-options.ts turns it into ProxyOptions).
import { z } from 'zod';
import { BALANCE_NAMES } from '../balance/balancer.js';
import { TrustedProxies } from '../handlers/proxy/forwarding.js';
import { isHttps, parseUpstreamUrl } from './proxy-options.js';
import { parseSize } from './units.js';
import { duration } from './unit-fields.js';

const upstreamUrl = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const parsed = parseUpstreamUrl(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

/** One upstream: a URL, or a URL with a weight. */
export const ProxyUpstreamSchema = z.union([
  upstreamUrl.describe(
    'Upstream URL, e.g. http://127.0.0.1:3000 or http://app:8080 (a DNS name is re-resolved).',
  ),
  z
    .object({
      url: upstreamUrl.describe('Upstream URL, e.g. http://app:8080.'),
      weight: z
        .number()
        .int()
        .positive()
        .max(1000)
        .default(1)
        .describe(
          'Relative share of requests (weighted, least-conn, random and the hashes use it).',
        ),
    })
    .strict()
    .describe('An upstream with a weight.'),
]);

/** Active health checks. */
export const ProxyHealthSchema = z
  .object({
    path: z
      .string()
      .startsWith('/')
      .describe('Path requested with GET on every upstream, e.g. /healthz.'),
    interval: duration('10s', 'Time between two checks of an upstream.'),
    timeout: duration('2s', 'A check with no status line within this time fails.'),
    passes: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Good checks in a row that bring an upstream back.'),
    fails: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Bad checks in a row that take an upstream out.'),
    expect_status: z
      .string()
      .regex(/^(\d{3}|\dxx|\d{3}-\d{3})$/, 'expected "200", "2xx" or a range like "200-399"')
      .default('200-399')
      .describe('Statuses counted as healthy: "200", "2xx" or "200-399".'),
  })
  .strict()
  .describe(
    'Active health checks: GET a path on every upstream at an interval; down/up changes are logged.',
  );

/** Passive health. */
export const ProxyPassiveHealthSchema = z
  .object({
    max_fails: z
      .number()
      .int()
      .nonnegative()
      .default(1)
      .describe(
        'Failed requests (connect error, reset, timeout) within fail_timeout that take an upstream out; 0 = never.',
      ),
    fail_timeout: duration(
      '10s',
      'The window failures are counted in, and how long an upstream then stays out.',
    ),
  })
  .strict()
  .describe(
    "Passive health: upstreams that fail are skipped for a while (nginx's max_fails / fail_timeout).",
  );

/** Upstream timeouts. */
export const ProxyTimeoutsSchema = z
  .object({
    connect: duration(
      '5s',
      'Time to open a TCP connection to an upstream; then 504 (or the next upstream).',
    ),
    header: duration('60s', 'Time from sending the request to the response head; then 504.'),
    idle: duration(
      '60s',
      'Longest pause in the middle of an exchange: the upstream not reading the request body, or not sending the response body. A client that pauses its upload is timed by timeouts.body instead.',
    ),
    keepalive: duration(
      '4s',
      "How long an idle upstream connection is kept for reuse: keep it below the backends' own keep-alive timeout (Node: 5s).",
    ),
    tunnel_idle: duration(
      '1h',
      'A WebSocket or other upgraded connection with no traffic for this long is closed; 0 = never.',
    ),
  })
  .strict()
  .describe('Upstream timeouts.');

/** How https:// upstreams are trusted (Caddy's tls_trusted_ca_certs / tls_server_name / tls_insecure_skip_verify). */
export const ProxyTlsSchema = z
  .object({
    ca: z
      .string()
      .min(1)
      .optional()
      .describe(
        "PEM file of the CAs that sign the upstreams' certificates, trusted instead of Node's bundled public roots (nginx's proxy_ssl_trusted_certificate). Relative to the config file.",
      ),
    server_name: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Name sent as SNI and required in the upstream's certificate. Default: the upstream URL's host (for an IP address: no SNI, the certificate must carry the IP).",
      ),
    insecure_skip_verify: z
      .boolean()
      .default(false)
      .describe(
        'Accept any certificate, unverified: only for self-signed development upstreams on a network you trust.',
      ),
  })
  .strict()
  .describe(
    'For https:// upstreams: which CAs to trust and which name to check. Verified against the public roots by default.',
  );

/** The reverse proxy handler. */
export const ProxySchema = z
  .object({
    to: z
      .array(ProxyUpstreamSchema)
      .min(1)
      .describe(
        'Upstreams, by URL (http://host:port[/base]); every one must share the same base path.',
      ),
    balance: z
      .enum(BALANCE_NAMES)
      .default('round-robin')
      .describe('How an upstream is picked for each request.'),
    hash_header: z
      .string()
      .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'expected a header field name')
      .optional()
      .describe(
        'For balance: header-hash, the request field whose value picks the upstream (e.g. X-User-Id).',
      ),
    strip_prefix: z
      .string()
      .startsWith('/')
      .optional()
      .describe(
        'A path prefix removed before the request goes upstream: /api/users -> /users with "/api".',
      ),
    host_header: z
      .string()
      .min(1)
      .default('preserve')
      .describe(
        'Host sent upstream: "preserve" (the client\'s), "upstream" (the upstream URL\'s host) or a fixed value.',
      ),
    trusted_proxies: z
      .array(
        z
          .string()
          .min(1)
          .superRefine((entry, ctx) => {
            try {
              new TrustedProxies([entry]);
            } catch (error) {
              ctx.addIssue({
                code: 'custom',
                message: error instanceof Error ? error.message : String(error),
              });
            }
          }),
      )
      .default([])
      .describe(
        'Proxies in front of porta whose X-Forwarded-* and Forwarded fields are kept: IPs, CIDRs, or "private_ranges". Others\' are replaced.',
      ),
    forwarded_headers: z
      .boolean()
      .default(true)
      .describe(
        'Add X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host and Forwarded (RFC 7239).',
      ),
    via: z
      .union([z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/), z.literal(false)])
      .default('porta')
      .describe(
        'Pseudonym in the Via field added to requests (RFC 9110 §7.6.3), or false for none.',
      ),
    underscores_in_headers: z
      .boolean()
      .default(false)
      .describe(
        'Pass request fields whose names contain "_" upstream (nginx\'s underscores_in_headers). Off: they are dropped, since many backends read X_Forwarded_For or Content_Length as their "-" twins. Even on, names that read as framing, hop-by-hop, Host or forwarding fields with "-" are dropped.',
      ),
    timeouts: ProxyTimeoutsSchema.default(ProxyTimeoutsSchema.parse({})),
    tls: ProxyTlsSchema.optional(),
    max_idle: z
      .number()
      .int()
      .nonnegative()
      .default(128)
      .describe(
        'Idle keep-alive connections kept per upstream address; keep it above the requests in flight at once, or connections churn.',
      ),
    retries: z
      .number()
      .int()
      .nonnegative()
      .default(2)
      .describe(
        'Further upstreams tried after a failure: always when nothing was sent (connect failed), else for idempotent methods only.',
      ),
    retry_body_limit: z
      .union([z.number().int().nonnegative(), z.string()])
      .refine((v) => !Number.isNaN(parseSize(v)), { message: 'expected a size like "64k"' })
      .default('64k')
      .describe(
        'Request bodies up to this size are kept so a retry can send them again; larger ones are never retried once sent.',
      ),
    passive_health: ProxyPassiveHealthSchema.default(ProxyPassiveHealthSchema.parse({})),
    health: ProxyHealthSchema.optional(),
    resolve_interval: duration(
      '30s',
      'How often upstream DNS names are looked up again (Docker and Kubernetes service names); 0 = once.',
    ),
  })
  .strict()
  .refine((p) => p.balance !== 'header-hash' || p.hash_header !== undefined, {
    message: 'balance: header-hash needs hash_header (the field to hash)',
    path: ['hash_header'],
  })
  .refine(
    (p) => {
      const paths = new Set(
        p.to.map((u) => {
          const parsed = parseUpstreamUrl(typeof u === 'string' ? u : u.url);
          return typeof parsed === 'string' ? '' : parsed.path;
        }),
      );
      return paths.size <= 1;
    },
    { message: 'every upstream URL must have the same path', path: ['to'] },
  )
  .refine((p) => new Set(p.to.map((u) => isHttps(typeof u === 'string' ? u : u.url))).size <= 1, {
    message: 'every upstream URL must have the same scheme (all http:// or all https://)',
    path: ['to'],
  })
  .refine(
    (p) => p.tls === undefined || p.to.some((u) => isHttps(typeof u === 'string' ? u : u.url)),
    {
      message: 'tls applies to https:// upstreams; these are all http://',
      path: ['tls'],
    },
  )
  .describe(
    'Reverse proxy to one or more HTTP upstreams, with load balancing, health checks and retries.',
  );

export type ProxyConfig = z.output<typeof ProxySchema>;
