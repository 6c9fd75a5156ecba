// The process title a running server gives itself: what `porta stop` and `porta reload` look for in /proc/PID/cmdline.

/** The process title `porta run` sets, so `porta stop` can tell its server from a pid reused by another program. */
export const PROCESS_TITLE = 'porta';

/** Names the process `porta <args>` (what `porta stop` looks for in /proc/PID/cmdline). */
export function setProcessTitle(): void {
  process.title = [PROCESS_TITLE, ...process.argv.slice(2)].join(' ');
}
