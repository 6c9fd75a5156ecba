// The directives around a route's handler (headers, auth, allow/deny, rate limit, CORS, body size): schema.
import { z } from 'zod';
import { HASH_FORMAT, parsePasswordHash } from '../handlers/directives/password-hash.js';
import { parseRate } from '../handlers/directives/rate-limit.js';
import { parseCidr } from '../net/cidr.js';
import { parseDuration, parseSize } from './units.js';

/** A field name is a token (RFC 9110 §5.1); a value has no CR, LF or NUL (§5.5). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[^\r\n\0]*$/;

/** Fields the engine writes itself (framing, Date, Server): a directive may not touch them. */
const ENGINE_RESPONSE_FIELDS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'date',
  'server',
]);
/** Request fields that frame the body the handler behind reads. */
const FRAMING_REQUEST_FIELDS = new Set(['content-length', 'transfer-encoding']);

const fieldName = z
  .string()
  .regex(TOKEN, "expected a header field name (letters, digits and !#$%&'*+-.^_`|~)");
const fieldValue = z.string().regex(FIELD_VALUE, 'expected a value without CR, LF or NUL');

/** Header edits; `reserved` names are refused with a message saying why. */
const headerEdits = (target: 'request' | 'response', reserved: ReadonlySet<string>) => {
  const title = target === 'request' ? 'Request' : 'Response';
  return z
    .object({
      set: z
        .record(fieldName, fieldValue)
        .default({})
        .describe(`${title} fields to set, name to value: replaces any field of that name.`),
      add: z
        .record(fieldName, z.union([fieldValue, z.array(fieldValue)]))
        .default({})
        .describe(
          `${title} fields to add, name to value (or a list of values): keeps existing ones.`,
        ),
      remove: z
        .array(fieldName)
        .default([])
        .describe(`Names of ${target} fields to remove (any case).`),
    })
    .strict()
    .superRefine((edits, context) => {
      const names: [string, string][] = [
        ...Object.keys(edits.set).map((n): [string, string] => ['set', n]),
        ...Object.keys(edits.add).map((n): [string, string] => ['add', n]),
        ...edits.remove.map((n, i): [string, string] => ['remove', String(i)]),
      ];
      for (const [section, key] of names) {
        const name = section === 'remove' ? (edits.remove[Number(key)] ?? '') : key;
        if (!reserved.has(name.toLowerCase())) continue;
        context.addIssue({
          code: 'custom',
          path: [section, section === 'remove' ? Number(key) : key],
          message:
            target === 'response'
              ? `"${name}" is written by the engine (framing, Date, Server); a directive cannot change it`
              : `"${name}" frames the request body; a directive cannot change it`,
        });
      }
    });
};

const cidr = z.string().superRefine((text, context) => {
  try {
    parseCidr(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const duration = z
  .union([z.number().nonnegative(), z.string()])
  .refine((v) => !Number.isNaN(parseDuration(v)), {
    message: 'expected a duration like "10m", "1h" or a number of seconds',
  });

/** One user of basic_auth. */
export const BasicAuthUserSchema = z
  .object({
    user: z
      .string()
      .min(1)
      .refine((u) => !u.includes(':'), 'a user name cannot contain ":" (RFC 7617 §2)')
      .describe('User name.'),
    password_hash: z
      .string()
      .superRefine((text, context) => {
        try {
          parsePasswordHash(text);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .describe(
        `The password's hash, ${HASH_FORMAT}, as \`porta hash-password\` prints it; never the password itself.`,
      ),
  })
  .strict()
  .describe('A user and the hash of their password.');

/** HTTP Basic authentication. */
export const BasicAuthSchema = z
  .object({
    realm: z
      .string()
      .min(1)
      .regex(FIELD_VALUE, 'expected text without CR, LF or NUL')
      .default('restricted')
      .describe('Name of the protected area, shown by browsers in the login prompt.'),
    users: z
      .array(BasicAuthUserSchema)
      .min(1)
      .superRefine((users, context) => {
        const seen = new Set<string>();
        users.forEach((u, i) => {
          if (seen.has(u.user)) {
            context.addIssue({
              code: 'custom',
              path: [i, 'user'],
              message: `user "${u.user}" is listed twice`,
            });
          }
          seen.add(u.user);
        });
      })
      .describe('Who may enter.'),
    max_failures: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe(
        'Failed logins from one client address, counted for the whole server (all workers, every basic_auth route with the same limits), after which that client alone gets 429 with Retry-After for `lockout`. Each failure is logged at WARNING.',
      ),
    lockout: duration
      .default('10m')
      .describe(
        'How long failed logins are counted, and how long a client over max_failures is refused.',
      ),
  })
  .strict()
  .describe(
    'HTTP Basic authentication (RFC 7617): 401 with a challenge until a listed user logs in.',
  );

/** Per-client rate limiting. */
export const RateLimitSchema = z
  .object({
    rate: z
      .string()
      .refine((r) => !Number.isNaN(parseRate(r)), {
        message: 'expected a rate like "10r/s", "600r/m" or "100r/h"',
      })
      .describe('Sustained requests per client: "10r/s", "600r/m", "100r/h".'),
    burst: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Most requests a client may make at once before the rate applies (bucket size); default: one second of the rate, at least 1.',
      ),
    key: z
      .enum(['ip'])
      .default('ip')
      .describe('What a client is: "ip" = the address of the TCP peer.'),
    max_clients: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe('Most clients remembered at once; the least recently seen is forgotten first.'),
  })
  .strict()
  .describe('Token bucket per client: 429 with Retry-After when a client goes faster.');

/** "https://app.example", "https://*.example.com", "http://localhost:3000" or "*". */
const ORIGIN = /^(\*|[a-z][a-z0-9+.-]*:\/\/(\*\.)?[^/*\s?#]+|null)$/i;

/** Cross-origin resource sharing. */
export const CorsSchema = z
  .object({
    origins: z
      .array(
        z
          .string()
          .regex(
            ORIGIN,
            'expected an origin like "https://app.example" or "https://*.example.com", or "*"',
          ),
      )
      .min(1)
      .describe(
        'Origins whose scripts may read responses: "https://app.example", "https://*.example.com" (any subdomain), or "*" (any).',
      ),
    methods: z
      .array(z.string().regex(TOKEN, 'expected a method name'))
      .min(1)
      .default(['GET', 'HEAD', 'POST'])
      .describe('Methods a preflight allows.'),
    headers: z
      .array(fieldName)
      .default([])
      .describe('Request fields a preflight allows; empty allows whatever the preflight asks for.'),
    expose_headers: z
      .array(fieldName)
      .default([])
      .describe('Response fields scripts may read beyond the CORS-safelisted ones.'),
    credentials: z
      .boolean()
      .default(false)
      .describe(
        'Allow cookies and Authorization: sends Access-Control-Allow-Credentials and echoes the origin (with Vary: Origin); needs listed origins, never "*".',
      ),
    max_age: duration
      .optional()
      .describe('How long a browser may cache a preflight answer ("10m"); unset sends none.'),
  })
  .strict()
  .refine((c) => !(c.credentials && c.origins.includes('*')), {
    message:
      'credentials need a list of origins: "*" with credentials would let any site read with the user\'s cookies',
    path: ['origins'],
  })
  .describe(
    'Cross-origin access: preflights answered with 204, allowed origins marked on responses.',
  );

/**
 * The directive keys, shared by routes and sites (spread into RouteSchema and SiteSchema). On a
 * site they apply to all its routes; a route's own key replaces the site's, except header edits,
 * which apply site first, then route. `false` (or `[]`, `0`) turns a site's directive off.
 */
export const directiveFields = {
  request_headers: headerEdits('request', FRAMING_REQUEST_FIELDS)
    .optional()
    .describe(
      'Edit the request the handler sees (a proxy forwards the edited fields): set, add, remove.',
    ),
  response_headers: headerEdits('response', ENGINE_RESPONSE_FIELDS)
    .optional()
    .describe('Edit every response head, error pages and 304s included: set, add, remove.'),
  basic_auth: z
    .union([BasicAuthSchema, z.literal(false)])
    .optional()
    .describe('HTTP Basic authentication with hashed passwords; false turns a site-level one off.'),
  allow: z
    .array(cidr)
    .optional()
    .describe(
      'Client addresses let in ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7", "all"); when set, others get 403. The most specific block of allow and deny decides.',
    ),
  deny: z
    .array(cidr)
    .optional()
    .describe('Client addresses kept out with 403 ("203.0.113.0/24", "all").'),
  rate_limit: z
    .union([RateLimitSchema, z.literal(false)])
    .optional()
    .describe('Per-client rate limit; false turns a site-level one off.'),
  cors: z
    .union([CorsSchema, z.literal(false)])
    .optional()
    .describe('CORS for browsers; false turns a site-level one off.'),
  max_body_size: z
    .union([z.number().int().nonnegative(), z.string()])
    .refine((v) => !Number.isNaN(parseSize(v)), {
      message: 'expected a size like "1m", "16k" or a number of bytes',
    })
    .optional()
    .describe(
      'Largest request body here; larger gets 413. Lower than limits.max_body_size to take effect (that one is checked first); 0 = no route cap.',
    ),
};

export type HeaderEditsConfig = z.output<ReturnType<typeof headerEdits>>;
export type BasicAuthConfig = z.output<typeof BasicAuthSchema>;
export type RateLimitConfig = z.output<typeof RateLimitSchema>;
export type CorsConfig = z.output<typeof CorsSchema>;

/** The directive keys of a route or site, as validated. */
export interface DirectiveConfig {
  readonly request_headers?: HeaderEditsConfig | undefined;
  readonly response_headers?: HeaderEditsConfig | undefined;
  readonly basic_auth?: BasicAuthConfig | false | undefined;
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
  readonly rate_limit?: RateLimitConfig | false | undefined;
  readonly cors?: CorsConfig | false | undefined;
  readonly max_body_size?: number | string | undefined;
}
