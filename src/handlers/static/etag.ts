// Strong entity-tags for files (RFC 9110 §8.8.3), one per content coding.

/** The parts of a file's stat that identify one version of its content. */
export interface FileVersion {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
}

/**
 * A strong ETag from size, modification time (nanoseconds) and inode: a changed file, or one
 * replaced by another with the same size and time (rename over it), gets a new tag. A coding
 * suffix (`br`, `gz`) makes each encoded representation's tag distinct (RFC 9110 §8.8.3: a
 * validator identifies one representation, and a gzip body is not the identity body).
 */
export function fileEtag(version: FileVersion, suffix: string): string {
  const base = `${version.size.toString(16)}-${version.mtimeNs.toString(16)}-${version.ino.toString(16)}`;
  return suffix === '' ? `"${base}"` : `"${base}-${suffix}"`;
}

/** Whether two stats name the same version of a file (same inode, size and mtime). */
export function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** The ETag of a coded variant made from a file whose identity ETag is `etag` (`"x"` -> `"x-br"`). */
export function codedEtag(etag: string, suffix: string): string {
  return `${etag.slice(0, -1)}-${suffix}"`;
}
