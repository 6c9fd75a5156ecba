// CPU time a server has used: utime + stime from /proc/<pid>/stat, summed over the process and
// its descendants (nginx's master and worker), in seconds.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from './rss.mjs';

/** Clock ticks per second of the stat counters (getconf CLK_TCK; 100 on Linux nearly always). */
const ticksPerSecond = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 });
  const value = Number((result.stdout ?? '').trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();

/**
 * utime + stime of one process in ticks, 0 when it is gone.
 * @param {number} pid
 * @returns {number}
 */
function readTicks(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name may hold spaces and parentheses: fields resume after the last ')'.
  // After it: state is field 3, utime field 14, stime field 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * CPU seconds used so far by pid and all its descendants.
 * @param {number} pid
 * @returns {number}
 */
export function treeCpuSeconds(pid) {
  return processTree(pid).reduce((sum, p) => sum + readTicks(p), 0) / ticksPerSecond;
}
