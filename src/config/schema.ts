// The single source of truth for porta's configuration: types, validation, defaults and doc comments.
import { z } from 'zod';
import { AdminSchema } from './admin-schema.js';
import { AppSchema } from './app-schema.js';
import {
  ACCESS_VARIABLES,
  isAccessTemplate,
  unknownAccessVariables,
} from '../log/access-template.js';
import { didYouMean } from './did-you-mean.js';
import { directiveFields } from './directive-schema.js';
import { ForwardSchema } from './forward-schema.js';
import { ProxySchema } from './proxy-schema.js';
import { StaticSchema } from './static-schema.js';
import { TlsSchema } from './tls-schema.js';
import { duration, rate, size } from './unit-fields.js';

/** Limits of the HTTP engine (nginx-like defaults). */
export const LimitsSchema = z
  .object({
    max_connections: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        'Open HTTP connections for the whole server (all HTTP listeners; with N workers each keeps ceil(max/N)). At the cap a newcomer takes the place of an idle keep-alive connection, else of the request head that has been arriving longest (over 1 s), else it is closed; a warning says how many (at most one line per 10 s). Also the default cap of each TCP forward listener.',
      ),
    max_request_line: size('8k', 'Longest request line; longer gets 414 (nginx: 8k).'),
    max_header_size: size('32k', 'Largest header section in bytes; larger gets 431.'),
    max_headers: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('Most header fields in one request; more gets 431.'),
    max_body_size: size('1m', 'Largest request body; larger gets 413. 0 means no limit.'),
    max_concurrent_streams: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(128)
      .describe(
        'HTTP/2: most streams (requests) open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS; nginx: 128).',
      ),
    max_stream_resets: z
      .number()
      .int()
      .min(1)
      .default(200)
      .describe(
        'HTTP/2: most requests a client may cancel (RST_STREAM) on one connection within 10 s; one more closes it with GOAWAY ENHANCE_YOUR_CALM (rapid reset, CVE-2023-44487).',
      ),
  })
  .strict()
  .describe('Request size limits.');

/** Timeouts of the HTTP engine. */
export const TimeoutsSchema = z
  .object({
    header: duration('20s', 'Time to receive a whole request head (slowloris guard); then 408.'),
    body: duration('60s', 'Longest pause between two reads of a request body; then 408.'),
    min_body_rate: rate(
      '1k/10s',
      'Slowest request body accepted while the handler reads it: a size per window ("1k/10s"); a window that brings less (and less than the rest of the body) gets 408, or a close if the answer has begun. 0 turns it off.',
    ),
    idle: duration('65s', 'How long an idle keep-alive connection stays open.'),
    send: duration('60s', 'Longest pause while a client does not read the response.'),
    handshake: duration(
      '10s',
      'Time from accepting a TLS connection to a finished handshake; then it is closed.',
    ),
    shutdown: duration('10s', 'On shutdown, how long in-flight requests may take to finish.'),
    shutdown_delay: duration(
      '0s',
      'On a graceful stop, how long to go on serving (listeners open, readiness 503) before the listeners close and the drain begins: time for load balancers to see `/readyz` or a `health` route fail and stop sending. Caddy calls it shutdown_delay.',
    ),
  })
  .strict()
  .describe('Connection timeouts.');

/** A fixed response. */
export const RespondSchema = z
  .object({
    status: z.number().int().min(200).max(599).default(200).describe('Status code.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Response header fields, name to value.'),
    body: z.string().default('').describe('Response body (text).'),
  })
  .strict()
  .describe('Answer with a fixed status, headers and body.');

/** A redirect. */
export const RedirectSchema = z
  .object({
    to: z.string().min(1).describe('Target URL or path, e.g. https://example.com.'),
    status: z
      .union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)])
      .default(301)
      .describe('Redirect status.'),
    keep_path: z
      .boolean()
      .default(false)
      .describe('Append the request path (after the route prefix) and query to `to`.'),
  })
  .strict()
  .describe('Redirect to another URL.');

/** The HTTP echo handler. */
export const EchoSchema = z
  .object({
    name: z
      .string()
      .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'expected printable ASCII text')
      .optional()
      .describe(
        "Names this server in the answer (`X-Served-By` field, JSON `served_by`), to tell instances behind a proxy apart; default: the machine's host name (a container's ID under Docker).",
      ),
  })
  .strict()
  .describe(
    'Answer with the request itself: its bytes as received, or JSON when the client accepts it (base64 for what is not UTF-8).',
  );

/** Readiness on a public route. */
export const HealthSchema = z
  .object({})
  .strict()
  .describe(
    'Answer like the admin `/readyz`: `200 ready` while serving, `503 not ready` from the moment a graceful stop begins (keep the listeners open for a while then with `timeouts.shutdown_delay`, so load balancers see it). GET and HEAD.',
  );

/** One route: a path prefix and exactly one handler. */
export const RouteSchema = z
  .object({
    path: z
      .string()
      .startsWith('/')
      .default('/')
      .describe('Path prefix this route serves; the longest matching prefix wins.'),
    respond: RespondSchema.optional(),
    redirect: RedirectSchema.optional(),
    echo: EchoSchema.optional(),
    health: HealthSchema.optional(),
    static: StaticSchema.optional(),
    proxy: ProxySchema.optional(),
    app: AppSchema.optional(),
    ...directiveFields,
  })
  .strict()
  .refine(
    (r) =>
      [r.respond, r.redirect, r.echo, r.health, r.static, r.proxy, r.app].filter(
        (h) => h !== undefined,
      ).length === 1,
    {
      message:
        'expected exactly one handler: static, proxy, app, respond, redirect, echo or health',
    },
  )
  .describe('A path prefix and the handler that serves it.');

/** One site: where it listens, which Host names it answers, its routes. */
export const SiteSchema = z
  .object({
    listen: z
      .array(z.string())
      .min(1)
      .default([':8080'])
      .describe('Addresses to listen on: "8080", ":8080", "127.0.0.1:8080", "[::1]:8080".'),
    hosts: z
      .array(z.string())
      .default([])
      .describe('Host names this site answers ("example.com", "*.example.com"); empty = default.'),
    routes: z.array(RouteSchema).min(1).describe('Routes, matched by longest path prefix.'),
    http2: z
      .enum(['auto', 'h2c', 'off'])
      .default('auto')
      .describe(
        'HTTP/2 on this site\'s listeners: "auto" = on TLS listeners by ALPN, HTTP/1.1 only on cleartext ones; "h2c" = also HTTP/2 with prior knowledge on cleartext listeners (beside HTTP/1.1); "off" = HTTP/1.1 only. Sites sharing a listener must agree.',
      ),
    tls: TlsSchema.optional(),
    acme_webroot: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Serve /.well-known/acme-challenge/ from this folder (certbot --webroot -w FOLDER), on this site and on its tls.redirect_from listeners.',
      ),
    ...directiveFields,
  })
  .strict()
  .describe('A virtual host.');

/** A layer-4 listener. */
export const StreamSchema = z
  .object({
    listen: z.array(z.string()).min(1).describe('Addresses to listen on.'),
    echo: z
      .object({})
      .strict()
      .optional()
      .describe('RFC 862 echo: every byte a client sends comes back.'),
    forward: ForwardSchema.optional(),
  })
  .strict()
  .refine((s) => (s.echo === undefined) !== (s.forward === undefined), {
    message: 'expected exactly one stream handler: forward or echo',
  })
  .describe('A TCP (or, for forward, UDP) listener that does not speak HTTP.');

const ACCESS_PRESETS = ['combined', 'json', 'off'];

/** `log.access`: a preset name, or a format whose every $variable exists (compiled at start). */
function checkAccessFormat(text: string, context: z.RefinementCtx): void {
  if (ACCESS_PRESETS.includes(text)) return;
  if (!isAccessTemplate(text)) {
    const guess = didYouMean(text, ACCESS_PRESETS);
    context.addIssue({
      code: 'custom',
      message: `expected one of "combined", "json" or "off", or a format with $variables${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
    });
    return;
  }
  for (const name of unknownAccessVariables(text)) {
    const guess = didYouMean(name, ACCESS_VARIABLES);
    context.addIssue({
      code: 'custom',
      message:
        `unknown variable $${name} in the access log format` +
        (guess === undefined
          ? ` (known: ${ACCESS_VARIABLES.map((v) => `$${v}`).join(' ')}, $http_<field>)`
          : ` (did you mean $${guess}?)`),
    });
  }
}

/** Logging. */
export const LogSchema = z
  .object({
    level: z
      .enum(['debug', 'info', 'warning', 'error'])
      .default('info')
      .describe('Lowest level of the error log.'),
    access: z
      .string()
      .default('combined')
      .superRefine(checkAccessFormat)
      .describe(
        'Access log format: `combined` (nginx), `json` (one object per line), `off`, or a format of nginx-style $variables such as `$remote_addr "$request" $status $request_time` (docs/logging.md lists them).',
      ),
    format: z
      .enum(['text', 'json'])
      .default('text')
      .describe(
        "Error log line format: `text` (Python logging's `2026-11-24 18:44:42,123 INFO message`) or `json` (one object per line, for log shippers).",
      ),
    access_path: z
      .string()
      .default('stdout')
      .describe('Where access log lines go: "stdout" or a file path.'),
    error_path: z
      .string()
      .default('stderr')
      .describe('Where the error log goes: "stderr" or a file path.'),
  })
  .strict()
  .describe('Error and access logs.');

/** The whole configuration. */
export const ConfigSchema = z
  .object({
    sites: z.array(SiteSchema).default([]).describe('HTTP sites.'),
    streams: z.array(StreamSchema).default([]).describe('TCP listeners that do not speak HTTP.'),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
    log: LogSchema.default(LogSchema.parse({})),
    admin: AdminSchema.optional(),
    workers: z
      .union([z.literal('auto'), z.number().int().min(1).max(256)])
      .default('auto')
      .describe(
        'Worker processes: "auto" = one per CPU core (like nginx worker_processes auto); 1 = a single process. Used by `porta run`; the library API always runs in-process.',
      ),
    pid_file: z
      .string()
      .optional()
      .describe(
        "Where `porta run` writes its process id, so `porta reload -c porta.yaml` and `porta stop -c porta.yaml` find it; a relative path starts at the config file's folder (or base_dir). The reload status goes beside it (`<pid_file>.reload`). Default: a file in the temp folder named after the config path.",
      ),
    base_dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Folder that relative paths in this file (such as a static root) start from. Default: the config file's folder; a relative base_dir starts there too.",
      ),
  })
  .strict()
  .describe('porta configuration.');

/** A configuration as written (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** A validated configuration with every default filled in. */
export type Config = z.output<typeof ConfigSchema>;
export type SiteConfig = z.output<typeof SiteSchema>;
export type RouteConfig = z.output<typeof RouteSchema>;
/** A route as written (defaults optional). */
export type RouteInput = z.input<typeof RouteSchema>;
export type StreamConfig = z.output<typeof StreamSchema>;
export type LimitsConfig = z.output<typeof LimitsSchema>;
export type TimeoutsConfig = z.output<typeof TimeoutsSchema>;
export type LogConfig = z.output<typeof LogSchema>;
