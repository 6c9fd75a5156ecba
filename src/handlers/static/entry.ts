// What one request path resolved to (a file, a redirect, a listing, a miss), as kept in the cache.
import type { FileRepresentation } from './representation.js';

export const enum EntryKind {
  File = 0,
  /** A directory asked for without its trailing slash: 301 to the slash form. */
  Redirect = 1,
  /** A directory without an index file, listing on. */
  Listing = 2,
  NotFound = 3,
  Forbidden = 4,
  /** The path itself is malformed or a traversal attempt: 400. */
  BadRequest = 5,
  /** The route's root folder has no index file and listing is off: 404 with a hint page. */
  NoIndex = 6,
}

/** One resolved request path. Fields unused by a kind hold empty values, so every entry has one shape. */
export class Entry {
  readonly kind: EntryKind;
  /** Identifies what was found (paths, inodes, sizes, times): equal fingerprints, same answer. */
  readonly fingerprint: string;
  /** The file (kind File). */
  readonly representation: FileRepresentation | null;
  /** Kind Redirect: the target path below the route, trailing slash included, percent-encoded. */
  readonly location: string;
  /** Kind Listing: the directory's real path. */
  readonly directory: string;
  /** Kind Listing: the decoded directory path below the route, e.g. "/docs/". */
  readonly urlPath: string;
  /** The directory whose changes may change this answer ("" when none is watched). */
  readonly watchDirectory: string;
  /** When the entry was last confirmed against the filesystem (performance.now() ms). */
  checkedAt = 0;
  /** Used since the cache's clock hand last passed (CLOCK eviction). */
  used = true;
  /** Bytes of content this entry holds in memory. */
  cost: number;
  /** A check against the filesystem in flight, shared by requests that find the entry stale. */
  revalidation: Promise<Entry> | null = null;

  constructor(
    kind: EntryKind,
    fingerprint: string,
    fields: {
      readonly representation?: FileRepresentation;
      readonly location?: string;
      readonly directory?: string;
      readonly urlPath?: string;
      readonly watchDirectory?: string;
    } = {},
  ) {
    this.kind = kind;
    this.fingerprint = fingerprint;
    this.representation = fields.representation ?? null;
    this.location = fields.location ?? '';
    this.directory = fields.directory ?? '';
    this.urlPath = fields.urlPath ?? '';
    this.watchDirectory = fields.watchDirectory ?? '';
    this.cost = 0;
  }
}
