// The reload benchmark's Markdown table (baseline and reload runs side by side) and its verdict.
import { formatRate, markdownTable } from './table.mjs';

/**
 * @typedef {object} ReloadRow
 * @property {number} workers
 * @property {string} route
 * @property {string} workload
 * @property {import('./reload-run.mjs').LoadedRun} run
 */

/**
 * "0.42 ms", "12.3 ms", "208 ms", or n/a.
 * @param {number | null} ms
 * @returns {string}
 */
export function formatMs(ms) {
  if (ms === null) return 'n/a';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return ms < 100 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(0)} ms`;
}

/**
 * Requests that failed (reset, cut off, timed out, non-2xx) and connections refused.
 * @param {import('./reload-wrk.mjs').DetailedWrkResult} wrk
 * @returns {{ failed: number, refused: number }}
 */
export function failures(wrk) {
  const { connect, read, write, timeout } = wrk.errors;
  return { failed: read + write + timeout + wrk.non2xx, refused: connect };
}

/**
 * Whether a reload run met the bar: no failed request, no refused connection, every reload done
 * without error, and the last config served afterwards.
 * @param {import('./reload-run.mjs').LoadedRun} run
 * @returns {string[]} what went wrong, empty when it passed
 */
export function reloadProblems(run) {
  const problems = [];
  const { failed, refused } = failures(run.wrk);
  if (failed > 0) problems.push(`${failed} failed requests`);
  if (refused > 0) problems.push(`${refused} refused connections`);
  const reload = run.reload;
  if (reload !== null) {
    if (reload.done !== reload.sent) {
      problems.push(`${reload.done} of ${reload.sent} "Configuration reloaded" lines`);
    }
    if (reload.failed > 0) problems.push(`${reload.failed} "Reload failed" lines`);
    if (reload.versionSeen !== reload.versionExpected) {
      problems.push(
        `GET /version gave ${JSON.stringify(reload.versionSeen)}, expected ${JSON.stringify(reload.versionExpected)}`,
      );
    }
  }
  return problems;
}

/**
 * @param {ReloadRow[]} rows
 * @returns {string}
 */
export function renderReloadTable(rows) {
  const header = [
    'workers',
    'route',
    'workload',
    'run',
    'requests',
    'req/s',
    'p50',
    'p90',
    'p99',
    'max',
    'socket errors c/r/w/t',
    'non-2xx',
    'reloads done (under load)',
    'reload time p50 / max',
  ];
  const body = rows.map(({ workers, route, workload, run }) => {
    const { connect, read, write, timeout } = run.wrk.errors;
    const reload = run.reload;
    return [
      String(workers),
      route,
      workload,
      run.kind === 'baseline' ? 'baseline' : 'reloads',
      String(run.wrk.requests),
      formatRate(run.wrk.requestsPerSecond),
      formatMs(run.wrk.p50Ms),
      formatMs(run.wrk.p90Ms),
      formatMs(run.wrk.p99Ms),
      formatMs(run.wrk.maxMs),
      `${connect}/${read}/${write}/${timeout}`,
      String(run.wrk.non2xx),
      reload === null ? '-' : `${reload.done}/${reload.sent} (${reload.doneUnderLoad})`,
      reload === null ? '-' : `${formatMs(reload.p50Ms)} / ${formatMs(reload.maxMs)}`,
    ];
  });
  const right = header.map((_, i) => i >= 4);
  return markdownTable(header, body, right);
}
