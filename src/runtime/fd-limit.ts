// Reads the process's open-file limit and count (Linux /proc), and words the warnings about them.
import { readFileSync, readdirSync } from 'node:fs';

/** What one process may hold of the server's cap: workers share it evenly (rounded up). */
export function connectionShare(maxConnections: number, processes: number): number {
  return Math.ceil(maxConnections / Math.max(1, processes));
}

/** Descriptors a server needs besides client connections: listeners, logs, files, upstreams. */
export const FD_RESERVE = 64;

/** The soft limit on open files (what `ulimit -n` set), or null where /proc is not there. */
export function readOpenFileLimit(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'latin1');
  } catch {
    return null;
  }
  // "Max open files            1024                 1048576              files"
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  const limit = Number(soft);
  return Number.isInteger(limit) && limit > 0 ? limit : null;
}

/** Descriptors this process has open now, or null where /proc is not there. */
export function countOpenFiles(): number | null {
  try {
    // One entry is the descriptor readdir itself holds while it reads.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

/**
 * The start-up warning when the open-file limit cannot hold the connection cap, or null when
 * it can (or is unknown). `share` is what one process may hold (the cap over the workers).
 */
export function fdLimitWarning(
  limit: number | null,
  maxConnections: number,
  share: number,
): string | null {
  if (limit === null || limit - FD_RESERVE >= share) return null;
  const perWorker = share === maxConnections ? '' : `, ${share} per worker`;
  return (
    `The open-file limit (ulimit -n) is ${limit}, below limits.max_connections ` +
    `(${maxConnections}${perWorker}) plus ${FD_RESERVE} for listeners, logs and upstreams: past ` +
    `about ${Math.max(limit - FD_RESERVE, 0)} connections per process new clients are dropped. ` +
    `Raise it (ulimit -n ${share + FD_RESERVE * 4}, or LimitNOFILE= in systemd) or lower max_connections`
  );
}
