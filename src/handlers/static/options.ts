// The static handler's resolved options: plain typed values, built once from validated config.
import type { HeaderList } from '../../http/exchange.js';

/** Cross-origin access (Fetch standard, CORS protocol). */
export interface CorsOptions {
  /** Allowed origins; ["*"] means any origin (never together with credentials). */
  readonly origins: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true` (only with listed origins). */
  readonly credentials: boolean;
  /** How long browsers may cache a preflight answer, in seconds. */
  readonly maxAgeSeconds: number;
}

/** The in-memory file and metadata cache (nginx's open_file_cache plus content). */
export interface FileCacheOptions {
  /** Files up to this many bytes are held in memory; larger ones are streamed from disk. */
  readonly maxFileSize: number;
  /** Total bytes of file content held in memory. */
  readonly maxSize: number;
  /** Most cached paths (files, directories, misses). */
  readonly maxEntries: number;
  /** How long a cached stat stays trusted before it is checked again, in milliseconds. */
  readonly statTtlMs: number;
  /** Watch cached directories (inotify) so edits show on the very next request. */
  readonly watch: boolean;
}

export type DotfilePolicy = 'deny' | 'allow';

export interface StaticOptions {
  /** Absolute path of the folder served. */
  readonly root: string;
  /** Index file names tried, in order, for a directory. */
  readonly index: readonly string[];
  /** Show a listing for a directory without an index file. */
  readonly listing: boolean;
  /** SPA fallback page as a root-relative URL path ("/index.html"), or null when off. */
  readonly spa: string | null;
  /** Dotfiles and dot-directories: 404 ("deny", except /.well-known/) or served ("allow"). */
  readonly dotfiles: DotfilePolicy;
  /** Follow symlinks that lead outside the root (inside ones are always followed). */
  readonly followSymlinks: boolean;
  /** CORS headers, or null when off. */
  readonly cors: CorsOptions | null;
  /** Compress compressible responses on the fly (brotli, gzip). */
  readonly compress: boolean;
  /** Smallest body worth compressing on the fly, in bytes. */
  readonly compressMinSize: number;
  /** Serve `file.br` / `file.gz` siblings when present and accepted. */
  readonly precompressed: boolean;
  /** Cache-Control of files ("" for none). */
  readonly cacheControl: string;
  /** Globs of root-relative paths ("assets/**", "**\/*.[0-9a-f]*.js") served as immutable. */
  readonly immutable: readonly string[];
  /** Error pages: status to root-relative URL path ("/404.html"). */
  readonly errorPages: ReadonlyMap<number, string>;
  /** Extra header fields on every successful response (and 304s), flat name/value list. */
  readonly headers: HeaderList;
  /** Content-Type overrides by lowercased extension (".ext"). */
  readonly types: ReadonlyMap<string, string>;
  /** Content-Type when neither an override nor the MIME table knows the extension. */
  readonly defaultType: string;
  /** Most range-specs honoured in one Range field; more and the whole file is sent. */
  readonly maxRanges: number;
  readonly cache: FileCacheOptions;
}

/** What the handler may log through. */
export interface StaticContext {
  readonly logger: {
    warning(message: string): void;
    readonly debugEnabled: boolean;
    debug(message: string): void;
  };
}

/** Cache-Control for files matching an `immutable` glob: a year, never revalidated (RFC 8246). */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
