// How busy the whole machine was during a run: the aggregate "cpu" line of /proc/stat, busy
// ticks over all ticks, so a table can show that server + wrk filled every core.
import { readFileSync } from 'node:fs';

/**
 * @typedef {object} MachineTicks
 * @property {number} busy user + nice + system + irq + softirq + steal
 * @property {number} total busy + idle + iowait
 */

/** @returns {MachineTicks} */
export function readMachineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // proc(5): cpu user nice system idle iowait irq softirq steal guest guest_nice
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy =
    (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

/**
 * Share of all CPU time that was busy between two readings, 0..1 (null when no time passed).
 * @param {MachineTicks} before
 * @param {MachineTicks} after
 * @returns {number | null}
 */
export function busyShare(before, after) {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : null;
}
