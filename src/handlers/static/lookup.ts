// Resolves a request path on disk: decode, contain in the root, follow symlinks safely, find index files and siblings.
import { readFile, realpath, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { dirname, sep } from 'node:path';
import { Coding, isCompressible } from '../../http/compression.js';
import { formatHttpDate } from '../../http/conditional.js';
import {
  type ContentTypes,
  contentTypeFor,
  loadMimeTable,
  mediaTypeOf,
  needsMimeTable,
} from './content-type.js';
import { Entry, EntryKind } from './entry.js';
import { codedEtag, fileEtag } from './etag.js';
import { matchesAny } from './glob.js';
import { IMMUTABLE_CACHE_CONTROL, type StaticOptions } from './options.js';
import {
  createCodedVariant,
  FileRepresentation,
  type FileFacts,
  type HeaderPolicy,
} from './representation.js';
import { encodePathSegments, hasHiddenSegment, resolveRequestPath } from './resolve-path.js';

const BAD_REQUEST = 'B';
const NOT_FOUND = 'N';
const FORBIDDEN = 'X';

/** A regular file found inside the root. */
interface FoundFile {
  readonly path: string;
  readonly stats: BigIntStats;
}

/** Turns request paths into entries, following the handler's options. Built once per handler. */
export class Lookup {
  readonly #options: StaticOptions;
  readonly #root: string;
  readonly #rootPrefix: string;
  readonly #policy: HeaderPolicy;
  readonly #immutable: readonly RegExp[];
  readonly #types: ContentTypes;

  /** `root` is the real (symlink-free) path of the configured root. */
  constructor(
    options: StaticOptions,
    root: string,
    policy: HeaderPolicy,
    immutable: readonly RegExp[],
  ) {
    this.#options = options;
    this.#root = root;
    this.#rootPrefix = root.endsWith(sep) ? root : root + sep;
    this.#policy = policy;
    this.#immutable = immutable;
    this.#types = { overrides: options.types, fallback: options.defaultType };
  }

  /**
   * Resolves a raw path below the route (e.g. "/docs/a%20b.txt") to an entry whose file bodies
   * are not read yet (see `load`), so a revalidation can compare fingerprints first.
   */
  async resolve(rawPath: string): Promise<Entry> {
    const safe = resolveRequestPath(rawPath);
    if (safe === null) return new Entry(EntryKind.BadRequest, BAD_REQUEST);
    const { segments, trailingSlash } = safe;
    if (this.#options.dotfiles === 'deny' && hasHiddenSegment(segments)) {
      return new Entry(EntryKind.NotFound, NOT_FOUND);
    }
    const candidate = segments.length === 0 ? this.#root : this.#rootPrefix + segments.join(sep);
    const watchDirectory = segments.length === 0 ? this.#root : dirname(candidate);
    let real: string;
    let stats: BigIntStats;
    try {
      real = await realpath(candidate);
      if (!this.isAllowed(real))
        return new Entry(EntryKind.NotFound, NOT_FOUND, { watchDirectory });
      stats = await stat(real, { bigint: true });
    } catch (error) {
      return missEntry(error, watchDirectory);
    }

    if (stats.isDirectory()) {
      if (!trailingSlash) {
        // A directory without its slash: redirect so relative links inside it resolve.
        return new Entry(EntryKind.Redirect, 'R' + real, {
          location: encodePathSegments(segments) + '/',
          watchDirectory,
        });
      }
      for (const name of this.#options.index) {
        const found = await this.#findFile(real + sep + name);
        if (found !== null) return this.#fileEntry(found, [...segments, name], real);
      }
      if (this.#options.listing) {
        return new Entry(EntryKind.Listing, 'L' + real, {
          directory: real,
          urlPath: segments.length === 0 ? '/' : '/' + segments.join('/') + '/',
          watchDirectory: real,
        });
      }
      // Only the root says why: deeper folders stay indistinguishable from missing paths.
      if (segments.length === 0) {
        return new Entry(EntryKind.NoIndex, 'I' + real, { watchDirectory: real });
      }
      return new Entry(EntryKind.NotFound, NOT_FOUND, { watchDirectory: real });
    }
    // A file asked for as a directory ("/a.txt/"), or a FIFO, socket or device: not served.
    if (!stats.isFile() || trailingSlash) {
      return new Entry(EntryKind.NotFound, NOT_FOUND, { watchDirectory });
    }
    return this.#fileEntry({ path: real, stats }, segments, dirname(real));
  }

  /** Reads the bodies of small files (and their precompressed siblings) into memory. */
  async load(entry: Entry): Promise<void> {
    const representation = entry.representation;
    if (representation === null) return;
    const limit = this.#options.cache.maxFileSize;
    const variants = [representation.identity, representation.brotli, representation.gzip];
    for (const variant of variants) {
      if (variant === null || variant.size < 0 || variant.size > limit || variant.body !== null) {
        continue;
      }
      try {
        const body = await readFile(variant.path);
        // A file that changed between stat and read: leave it on disk and check again soon.
        if (body.length !== variant.size) {
          entry.checkedAt = -Infinity;
          continue;
        }
        variant.body = body;
        entry.cost += body.length;
      } catch {
        entry.checkedAt = -Infinity;
      }
    }
  }

  /** Builds a file entry with its identity variant, precompressed siblings and on-the-fly codings. */
  async #fileEntry(
    found: FoundFile,
    segments: readonly string[],
    watchDirectory: string,
  ): Promise<Entry> {
    const { path, stats } = found;
    const name = segments[segments.length - 1] ?? '';
    // Once per process at most, for the first file of a less common kind.
    if (needsMimeTable(name)) await loadMimeTable();
    const contentType = contentTypeFor(name, this.#types);
    const options = this.#options;
    const compressible = isCompressible(mediaTypeOf(contentType));
    const size = Number(stats.size);
    const relative = segments.join('/');
    const cacheControl =
      this.#immutable.length > 0 && matchesAny(this.#immutable, relative)
        ? IMMUTABLE_CACHE_CONTROL
        : options.cacheControl;
    const mtimeMs = Number(stats.mtimeNs / 1_000_000n);

    // Precompressed siblings first (they win over compressing on the fly).
    let brotli: FoundFile | null = null;
    let gzip: FoundFile | null = null;
    if (options.precompressed && compressible) {
      brotli = await this.#findSibling(path + '.br', stats);
      gzip = await this.#findSibling(path + '.gz', stats);
    }
    let codings = (brotli !== null ? Coding.Brotli : 0) | (gzip !== null ? Coding.Gzip : 0);
    const dynamic =
      options.compress && compressible && size >= options.compressMinSize
        ? (Coding.Brotli | Coding.Gzip) & ~codings
        : 0;
    codings |= dynamic;

    const facts: FileFacts = {
      path,
      size,
      contentType,
      cacheControl,
      lastModified: formatHttpDate(mtimeMs),
      lastModifiedSeconds: Math.floor(mtimeMs / 1000),
      etag: fileEtag(stats, ''),
      codings,
    };
    const representation = new FileRepresentation(facts, this.#policy, null);
    let fingerprint = `F${path}\0${name}\0${stats.ino}:${stats.size}:${stats.mtimeNs}`;
    for (const [coding, sibling, suffix] of [
      [Coding.Brotli, brotli, 'br'],
      [Coding.Gzip, gzip, 'gz'],
    ] as const) {
      if (sibling !== null) {
        const siblingSize = Number(sibling.stats.size);
        const etag = fileEtag(sibling.stats, suffix);
        representation.setVariant(
          createCodedVariant(facts, this.#policy, coding, etag, sibling.path, siblingSize, null),
        );
        fingerprint += `\0${suffix}:${sibling.stats.ino}:${sibling.stats.size}:${sibling.stats.mtimeNs}`;
      } else if ((dynamic & coding) !== 0 && size > options.cache.maxFileSize) {
        // Too big to hold in memory: compressed while streaming, length unknown.
        representation.setVariant(
          createCodedVariant(
            facts,
            this.#policy,
            coding,
            codedEtag(facts.etag, suffix),
            path,
            -1,
            null,
          ),
        );
      }
    }
    return new Entry(EntryKind.File, fingerprint, { representation, watchDirectory });
  }

  /** A regular file at `path` inside the root, or null. */
  async #findFile(path: string): Promise<FoundFile | null> {
    try {
      const real = await realpath(path);
      if (!this.isAllowed(real)) return null;
      const stats = await stat(real, { bigint: true });
      return stats.isFile() ? { path: real, stats } : null;
    } catch {
      return null;
    }
  }

  /** A precompressed sibling that is a regular file not older than the original, or null. */
  async #findSibling(path: string, original: BigIntStats): Promise<FoundFile | null> {
    const found = await this.#findFile(path);
    // An older sibling is a stale build artefact: serving it would revert the edit.
    return found !== null && found.stats.mtimeNs >= original.mtimeNs ? found : null;
  }

  /** Whether a real path may be served: inside the root (unless symlinks may leave it), no hidden part. */
  isAllowed(real: string): boolean {
    const inside = real === this.#root || real.startsWith(this.#rootPrefix);
    if (!inside) return this.#options.followSymlinks;
    if (this.#options.dotfiles === 'allow' || real === this.#root) return true;
    // A symlink inside the root may still point at a hidden file (link -> .env).
    return !hasHiddenSegment(real.slice(this.#rootPrefix.length).split(sep));
  }
}

/** The entry for a failed realpath/stat: 403 when access is denied, else 404. */
function missEntry(error: unknown, watchDirectory: string): Entry {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new Entry(EntryKind.Forbidden, FORBIDDEN, { watchDirectory });
  }
  return new Entry(EntryKind.NotFound, NOT_FOUND, { watchDirectory });
}
