// The `static:` route handler's config: schema with a doc on every field, and its translation into StaticOptions.
import { z } from 'zod';
import { duration, size } from './unit-fields.js';

/** A field name is a token (RFC 9110 §5.1); a value has no CR, LF or NUL (§5.5). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[^\r\n\0]*$/;

/** CORS settings. */
export const StaticCorsSchema = z
  .object({
    origins: z
      .array(z.string().min(1))
      .min(1)
      .default(['*'])
      .describe('Origins allowed to read responses ("https://app.example"); "*" means any.'),
    credentials: z
      .boolean()
      .default(false)
      .describe(
        'Allow credentialed requests (cookies): sends Access-Control-Allow-Credentials and echoes the origin; needs listed origins, never "*".',
      ),
    max_age: duration('10m', 'How long browsers may cache a preflight answer.'),
  })
  .strict()
  .refine((c) => !(c.credentials && c.origins.includes('*')), {
    message:
      'credentials need a list of origins: "*" with credentials would let any site read with the user\'s cookies',
    path: ['origins'],
  })
  .describe('Cross-origin access.');

/** The in-memory cache of files and their metadata. */
export const StaticFileCacheSchema = z
  .object({
    max_file_size: size(
      '1m',
      'Files up to this size are kept in memory; larger ones stream from disk.',
    ),
    max_size: size('64m', 'Total memory for cached file content (compressed copies included).'),
    max_entries: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('Most paths remembered (files, directories and misses).'),
    stat_ttl: duration(
      '1s',
      "How long a file's metadata is trusted before it is checked again (nginx open_file_cache_valid).",
    ),
    watch: z
      .boolean()
      .default(true)
      .describe('Watch cached folders so an edit shows on the very next request (inotify).'),
  })
  .strict()
  .describe('In-memory file cache.');

/** The static file handler. */
export const StaticSchema = z
  .object({
    root: z
      .string()
      .min(1)
      .default('.')
      .describe("Folder to serve; relative paths start at the config file's folder."),
    index: z
      .array(
        z
          .string()
          .min(1)
          .refine((n) => !n.includes('/') && !n.includes('\\'), 'a file name, not a path'),
      )
      .default(['index.html'])
      .describe('Index file names tried in order for a directory.'),
    listing: z
      .boolean()
      .default(false)
      .describe(
        'List a directory that has no index file (HTML, or JSON for Accept: application/json).',
      ),
    spa: z
      .union([z.boolean(), z.string().min(1)])
      .default(false)
      .describe(
        'Single-page app fallback: a page navigation to a path that is no file gets this page (true = index.html) with 200; missing assets still 404.',
      ),
    dotfiles: z
      .enum(['deny', 'allow'])
      .default('deny')
      .describe(
        'Names starting with "." : "deny" answers 404 (except /.well-known/), "allow" serves them.',
      ),
    follow_symlinks: z
      .boolean()
      .default(false)
      .describe('Follow symlinks that lead outside the root; links inside the root always work.'),
    cors: z
      .union([z.boolean(), StaticCorsSchema])
      .default(false)
      .describe(
        'CORS headers: true allows any origin (no credentials), or an object to list origins.',
      ),
    compress: z
      .boolean()
      .default(true)
      .describe('Compress text-like files on the fly (brotli, gzip) for clients that accept it.'),
    compress_min_size: size(512, 'Smallest file compressed on the fly; tiny bodies do not gain.'),
    precompressed: z
      .boolean()
      .default(true)
      .describe(
        'Serve file.br / file.gz beside a file when the client accepts them (not older than the file).',
      ),
    cache_control: z
      .string()
      .regex(FIELD_VALUE)
      .default('no-cache')
      .describe(
        'Cache-Control of files. The default "no-cache" lets browsers keep files but revalidate (a cheap 304), so edits show at once; use "public, max-age=3600" for less traffic. "" sends none.',
      ),
    immutable: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Globs of root-relative paths with content hashes in their names ("assets/**", "**/*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f].*"), sent with "public, max-age=31536000, immutable".',
      ),
    error_pages: z
      .record(z.string().regex(/^[45]\d\d$/, 'expected a 4xx or 5xx status'), z.string().min(1))
      .default({ '404': '404.html' })
      .describe('Error pages by status, as paths below the root; used when the file exists.'),
    headers: z
      .record(
        z.string().regex(TOKEN, 'expected a header field name'),
        z.string().regex(FIELD_VALUE),
      )
      .default({})
      .describe('Extra header fields on every file response and 304.'),
    types: z
      .record(z.string().min(1), z.string().min(1).regex(FIELD_VALUE))
      .default({})
      .describe(
        'Content-Type by file extension (".glb": "model/gltf-binary"), over the built-in table.',
      ),
    default_type: z
      .string()
      .min(1)
      .regex(FIELD_VALUE)
      .default('application/octet-stream')
      .describe('Content-Type for extensions nobody knows.'),
    max_ranges: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe(
        'Most ranges in one Range request; more and the whole file is sent (Apache MaxRanges).',
      ),
    file_cache: StaticFileCacheSchema.default(StaticFileCacheSchema.parse({})).describe(
      'In-memory cache of small files and of file metadata (nginx open_file_cache).',
    ),
  })
  .strict()
  .describe('Serve files from a folder.');

export type StaticConfigInput = z.input<typeof StaticSchema>;
export type StaticConfig = z.output<typeof StaticSchema>;
