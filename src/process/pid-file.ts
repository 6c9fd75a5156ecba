// The pid file `porta run` writes so `porta reload` and `porta stop` can find the running server.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROCESS_TITLE } from './process-title.js';

/** A default path per config file, so `porta reload -c x.yaml` finds the server `porta run -c x.yaml` started. */
export function defaultPidFile(configPath: string): string {
  const digest = createHash('sha256').update(resolve(configPath)).digest('hex').slice(0, 12);
  return join(tmpdir(), `porta-${digest}.pid`);
}

export function writePidFile(path: string, pid: number): void {
  writeFileSync(path, `${pid}\n`, { mode: 0o644 });
}

export function removePidFile(path: string, pid: number): void {
  // Only our own: a newer server may have taken the file over.
  if (readPidFile(path) === pid) rmSync(path, { force: true });
}

/** The pid in the file, or null when there is none or it is not a number. */
export function readPidFile(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a porta server: its command line (/proc, Linux) starts with the title
 * `porta run` gives itself. Null where there is no /proc to ask (then only the pid is known).
 */
export function isPortaProcess(pid: number): boolean | null {
  if (!existsSync('/proc/self/cmdline')) return null;
  try {
    const first = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return first === PROCESS_TITLE || first.startsWith(`${PROCESS_TITLE} `);
  } catch {
    return false; // gone, or not ours to read
  }
}
