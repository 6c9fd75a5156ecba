// The outcome of each reload, in a file beside the pid file: `porta reload` waits for it and
// reports it (a signal carries no answer back; a file needs no socket and survives nothing).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export interface ReloadStatus {
  /** The server that wrote it: a file left by another server is not an answer. */
  readonly pid: number;
  /** Counts this server's finished reloads: the answer to a SIGHUP is a higher serial. */
  readonly serial: number;
  readonly ok: boolean;
  /** What failed, as `porta check` prints it (file:line key.path: ...); empty when ok. */
  readonly message: string;
  /** The failure's PortaError code, when it had one. */
  readonly code: string | null;
}

export function reloadStatusPath(pidFile: string): string {
  return `${pidFile}.reload`;
}

/** Written to a temporary name, then renamed: a reader never sees half a status. */
export function writeReloadStatus(path: string, status: ReloadStatus): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(status)}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

/** The last status `pid` wrote there, or null (none yet, unreadable, or another server's). */
export function readReloadStatus(path: string, pid: number): ReloadStatus | null {
  try {
    const status = JSON.parse(readFileSync(path, 'utf8')) as Partial<ReloadStatus>;
    if (status.pid !== pid || typeof status.serial !== 'number') return null;
    return {
      pid,
      serial: status.serial,
      ok: status.ok === true,
      message: typeof status.message === 'string' ? status.message : '',
      code: typeof status.code === 'string' ? status.code : null,
    };
  } catch {
    return null;
  }
}

export function removeReloadStatus(path: string, pid: number): void {
  if (readReloadStatus(path, pid) !== null) rmSync(path, { force: true });
}
