// Folds the workers benchmark's passes into medians, ratios against nginx with 2 workers and the
// 1 -> 2 worker scaling of each server, and renders them as a Markdown table.
import { formatMs } from './reload-table.mjs';
import { median, ratio } from './stats.mjs';
import { formatRate, formatRatio, markdownTable } from './table.mjs';

/**
 * @typedef {object} WorkersMeasurement one subject in one pass
 * @property {string} name
 * @property {number} pass
 * @property {number} processes in its tree while measured
 * @property {import('./reload-wrk.mjs').DetailedWrkResult} wrk
 * @property {number} cpuSeconds utime + stime of its tree during the measured run
 * @property {number} cpuUsPerRequest
 * @property {number} serverShare server CPU time over all the CPU time of every core, 0..1
 * @property {number | null} machineBusy busy share of every core (server, wrk, kernel, others)
 */

/**
 * @typedef {object} WorkersRow
 * @property {import('./workers-subjects.mjs').Subject} subject
 * @property {number | null} processes
 * @property {number[]} samples req/s of each pass
 * @property {number | null} requestsPerSecond median
 * @property {number | null} p50Ms median
 * @property {number | null} p99Ms median
 * @property {number | null} cpuUsPerRequest median
 * @property {number | null} serverShare median
 * @property {number | null} machineBusy median
 * @property {number | null} vsNginx2 req/s over nginx 2 workers' req/s
 * @property {number | null} scaling req/s over the same server's with 1 worker (2-worker rows)
 * @property {number} errors socket errors and non-2xx over all passes
 */

/**
 * @param {import('./workers-subjects.mjs').Subject[]} subjects
 * @param {WorkersMeasurement[]} measurements
 * @returns {WorkersRow[]}
 */
export function summarizeWorkers(subjects, measurements) {
  /** @param {string} name */
  const of = (name) => measurements.filter((m) => m.name === name);
  /** @param {string} name */
  const rps = (name) => median(of(name).map((m) => m.wrk.requestsPerSecond));
  const nginx2 = rps('nginx-2');
  return subjects.map((subject) => {
    const runs = of(subject.name);
    const own = rps(subject.name);
    const one = subjects.find((s) => s.server === subject.server && s.workers === 1);
    return {
      subject,
      processes: median(runs.map((m) => m.processes)),
      samples: runs.map((m) => m.wrk.requestsPerSecond),
      requestsPerSecond: own,
      p50Ms: median(runs.map((m) => m.wrk.p50Ms)),
      p99Ms: median(runs.map((m) => m.wrk.p99Ms)),
      cpuUsPerRequest: median(runs.map((m) => m.cpuUsPerRequest)),
      serverShare: median(runs.map((m) => m.serverShare)),
      machineBusy: median(runs.map((m) => m.machineBusy)),
      vsNginx2: ratio(own, nginx2),
      scaling: subject.workers === 1 || one === undefined ? null : ratio(own, rps(one.name)),
      errors: runs.reduce((sum, m) => sum + m.wrk.socketErrors + m.wrk.non2xx, 0),
    };
  });
}

/**
 * @param {number | null} share 0..1
 * @returns {string}
 */
function percent(share) {
  return share === null ? 'n/a' : `${(share * 100).toFixed(0)}%`;
}

/**
 * @param {WorkersRow[]} rows
 * @param {string} nginxVersion
 * @returns {string}
 */
export function renderWorkersTable(rows, nginxVersion) {
  const header = [
    'server',
    'workers',
    'processes',
    'req/s',
    'passes',
    'p50',
    'p99',
    'CPU µs/req',
    'server CPU',
    'machine busy',
    'vs nginx 2 workers',
    'scaling 1->2',
    'errors',
  ];
  const body = rows.map((row) => [
    row.subject.server === 'porta' ? 'porta' : nginxVersion,
    String(row.subject.workers),
    row.processes === null ? 'n/a' : String(row.processes),
    formatRate(row.requestsPerSecond),
    row.samples.map((s) => formatRate(s)).join(', '),
    formatMs(row.p50Ms),
    formatMs(row.p99Ms),
    row.cpuUsPerRequest === null ? 'n/a' : row.cpuUsPerRequest.toFixed(1),
    percent(row.serverShare),
    percent(row.machineBusy),
    formatRatio(row.vsNginx2),
    row.subject.workers === 1 ? '-' : formatRatio(row.scaling),
    String(row.errors),
  ]);
  return markdownTable(
    header,
    body,
    header.map((_, i) => i >= 1),
  );
}
