// Renders the static benchmark's summary as Markdown tables, and checks porta against the targets
// of issue 3 (1 KiB and 1 MiB vs nginx and http-server, the large download's speed and RSS).
import { ratio } from './stats.mjs';
import { formatMiB, formatRate, formatRatio, markdownTable } from './table.mjs';

/**
 * @param {number | null} value
 * @param {number} digits
 * @returns {string}
 */
function fixed(value, digits) {
  return value === null ? 'n/a' : value.toFixed(digits);
}

/**
 * @param {import('./static-summary.mjs').StaticSummary} summary
 * @param {Map<string, string>} serverTitles
 * @param {Map<string, string>} workloadTitles
 * @param {number} downloadMiB
 * @returns {string}
 */
export function renderStaticSummary(summary, serverTitles, workloadTitles, downloadMiB) {
  /** @param {string} name */
  const server = (name) => serverTitles.get(name) ?? name;
  /** @param {string} name */
  const workload = (name) => workloadTitles.get(name) ?? name;
  const parts = [];
  if (summary.throughput.length > 0) {
    parts.push(
      markdownTable(
        ['workload', 'server', 'req/s', 'p99', 'vs nginx', 'vs http-server', 'errors'],
        summary.throughput.map((row) => [
          workload(row.workload),
          server(row.server),
          formatRate(row.requestsPerSecond),
          row.p99Ms === null ? 'n/a' : `${row.p99Ms.toFixed(2)} ms`,
          formatRatio(row.vsNginx),
          formatRatio(row.vsHttpServer),
          String(row.errors),
        ]),
        [false, false, true, true, true, true, true],
      ),
    );
    parts.push(
      markdownTable(
        ['workload', 'server', 'server CPU/req', 'req per CPU-s', 'vs nginx', 'vs http-server'],
        summary.throughput.map((row) => [
          workload(row.workload),
          server(row.server),
          row.cpuUsPerRequest === null ? 'n/a' : `${row.cpuUsPerRequest.toFixed(1)} µs`,
          formatRate(row.cpuUsPerRequest === null ? null : 1e6 / row.cpuUsPerRequest),
          formatRatio(row.cpuVsNginx),
          formatRatio(row.cpuVsHttpServer),
        ]),
        [false, false, true, true, true, true],
      ),
    );
  }
  if (summary.downloads.length > 0) {
    parts.push(
      markdownTable(
        [
          `${downloadMiB} MiB download`,
          'MB/s',
          'vs nginx',
          'vs http-server',
          'server CPU/download',
          'RSS before',
          'RSS peak',
          'RSS growth',
          'errors',
        ],
        summary.downloads.map((row) => [
          server(row.server),
          fixed(row.megabytesPerSecond, 0),
          formatRatio(row.vsNginx),
          formatRatio(row.vsHttpServer),
          row.cpuSecondsPerDownload === null ? 'n/a' : `${row.cpuSecondsPerDownload.toFixed(2)} s`,
          formatMiB(row.rssIdle),
          formatMiB(row.rssPeak),
          formatMiB(row.rssGrowth),
          String(row.errors),
        ]),
        [false, true, true, true, true, true, true, true, true],
      ),
    );
  }
  if (summary.memory.some((row) => row.rssIdle !== null)) {
    parts.push(
      markdownTable(
        ['server', 'RSS idle', 'RSS after the wrk runs'],
        summary.memory.map((row) => [
          server(row.server),
          formatMiB(row.rssIdle),
          formatMiB(row.rssAfterLoad),
        ]),
        [false, true, true],
      ),
    );
  }
  return parts.join('\n\n');
}

/**
 * One line per target of issue 3: porta's ratio, the target, met or not; both by req/s and by
 * server CPU per request (the steadier number on a shared machine).
 * @param {import('./static-summary.mjs').StaticSummary} summary
 * @returns {string[]}
 */
export function renderTargets(summary) {
  /**
   * @param {string} workload
   * @returns {import('./static-summary.mjs').StaticThroughputRow | undefined}
   */
  const porta = (workload) =>
    summary.throughput.find((row) => row.server === 'porta' && row.workload === workload);
  /**
   * @param {number | null} value
   * @param {number} target
   */
  const verdict = (value, target) => (value === null ? 'n/a' : value >= target ? 'met' : 'NOT met');
  /**
   * @param {string} label
   * @param {number | null} byRate
   * @param {number | null} byCpu
   * @param {number} target
   */
  const line = (label, byRate, byCpu, target) =>
    `- ${label} >= ${target.toFixed(1)}x: req/s ${formatRatio(byRate)} (${verdict(byRate, target)}), ` +
    `CPU per request ${formatRatio(byCpu)} (${verdict(byCpu, target)})`;
  const lines = [];
  const oneKiB = porta('1k');
  if (oneKiB !== undefined) {
    lines.push(line('1 KiB keep-alive, porta vs nginx', oneKiB.vsNginx, oneKiB.cpuVsNginx, 1));
    lines.push(
      line(
        '1 KiB keep-alive, porta vs http-server',
        oneKiB.vsHttpServer,
        oneKiB.cpuVsHttpServer,
        8,
      ),
    );
  }
  const oneMiB = porta('1m');
  if (oneMiB !== undefined) {
    lines.push(line('1 MiB keep-alive, porta vs nginx', oneMiB.vsNginx, oneMiB.cpuVsNginx, 1));
  }
  const sixtyFourKiB = porta('64k');
  if (sixtyFourKiB !== undefined) {
    lines.push(
      line('64 KiB keep-alive, porta vs nginx', sixtyFourKiB.vsNginx, sixtyFourKiB.cpuVsNginx, 1),
    );
  }
  // Issue 13: new connections against Node's own servers, from the same rows.
  const closing = porta('1k-close');
  /** @param {string} server */
  const peer = (server) =>
    summary.throughput.find((row) => row.server === server && row.workload === '1k-close');
  for (const [server, name, target] of /** @type {const} */ ([
    ['node-http', 'node:http', 1.2],
    ['node-net', 'raw node:net', 0.9],
  ])) {
    const other = peer(server);
    if (closing === undefined || other === undefined) continue;
    lines.push(
      line(
        `1 KiB Connection: close, porta vs ${name}`,
        ratio(closing.requestsPerSecond, other.requestsPerSecond),
        ratio(other.cpuUsPerRequest, closing.cpuUsPerRequest),
        target,
      ),
    );
  }
  const download = summary.downloads.find((row) => row.server === 'porta');
  if (download !== undefined) {
    const growth = download.rssGrowth;
    lines.push(
      `- download, porta vs nginx >= 0.8x: ${formatRatio(download.vsNginx)} ` +
        `(${verdict(download.vsNginx, 0.8)}); RSS growth < 20 MB: ` +
        `${growth === null ? 'n/a' : `${(growth / 1e6).toFixed(1)} MB (${(growth / 1048576).toFixed(1)} MiB)`} ` +
        `(${growth === null ? 'n/a' : growth < 20e6 ? 'met' : 'NOT met'})`,
    );
  }
  return lines;
}
