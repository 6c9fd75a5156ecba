// A validated `static:` section as the handler's StaticOptions (apart from the schema: workers build plans without zod).
import { resolve } from 'node:path';
import type { StaticOptions } from '../handlers/static/index.js';
import type { StaticConfig } from './static-schema.js';
import { parseDuration, parseSize } from './units.js';

/** Resolved StaticOptions from a validated `static:` section; relative paths start at `baseDir`. */
export function staticOptionsFromConfig(config: StaticConfig, baseDir: string): StaticOptions {
  const cors = config.cors;
  const errorPages = new Map<number, string>();
  for (const [status, page] of Object.entries(config.error_pages)) {
    errorPages.set(Number(status), toUrlPath(page));
  }
  const types = new Map<string, string>();
  for (const [extension, type] of Object.entries(config.types)) {
    const lower = extension.toLowerCase();
    types.set(lower.startsWith('.') ? lower : `.${lower}`, type);
  }
  const spa =
    config.spa === false ? null : toUrlPath(config.spa === true ? 'index.html' : config.spa);
  return {
    root: resolve(baseDir, config.root),
    index: config.index,
    listing: config.listing,
    spa,
    dotfiles: config.dotfiles,
    followSymlinks: config.follow_symlinks,
    cors:
      cors === false
        ? null
        : cors === true
          ? { origins: ['*'], credentials: false, maxAgeSeconds: 600 }
          : {
              origins: cors.origins,
              credentials: cors.credentials,
              maxAgeSeconds: Math.round(parseDuration(cors.max_age) / 1000),
            },
    compress: config.compress,
    compressMinSize: parseSize(config.compress_min_size),
    precompressed: config.precompressed,
    cacheControl: config.cache_control,
    immutable: config.immutable,
    errorPages,
    headers: Object.entries(config.headers).flat(),
    types,
    defaultType: config.default_type,
    maxRanges: config.max_ranges,
    cache: {
      maxFileSize: parseSize(config.file_cache.max_file_size),
      maxSize: parseSize(config.file_cache.max_size),
      maxEntries: config.file_cache.max_entries,
      statTtlMs: parseDuration(config.file_cache.stat_ttl),
      watch: config.file_cache.watch,
    },
  };
}

/**
 * A root-relative page path as the URL path the handler looks up ("404.html" -> "/404.html"),
 * percent-encoded per segment so names with spaces or "%" resolve to themselves.
 */
function toUrlPath(page: string): string {
  return page
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => '/' + encodeURIComponent(segment))
    .join('');
}
