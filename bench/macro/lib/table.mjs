// Renders the summary as Markdown tables (printed, and pasted as-is into BENCHMARKS.md).

/**
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {boolean[]} rightAligned per column
 * @returns {string}
 */
export function markdownTable(header, rows, rightAligned) {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, 3, ...rows.map((row) => (row[i] ?? '').length)),
  );
  /** @param {string[]} cells */
  const line = (cells) =>
    `| ${cells
      .map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * @param {number | null} rps
 * @returns {string}
 */
export function formatRate(rps) {
  if (rps === null) return 'n/a';
  return rps >= 10_000 ? `${(rps / 1000).toFixed(1)}k` : rps.toFixed(0);
}

/**
 * @param {number | null} value
 * @returns {string}
 */
export function formatRatio(value) {
  return value === null ? 'n/a' : `${value.toFixed(2)}x`;
}

/**
 * @param {number | null} bytes
 * @returns {string}
 */
export function formatMiB(bytes) {
  return bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(1)} MiB`;
}

/**
 * @param {import('./summary.mjs').Summary} summary
 * @param {Map<string, string>} serverTitles
 * @param {Map<string, string>} workloadTitles
 * @returns {string}
 */
export function renderSummary(summary, serverTitles, workloadTitles) {
  const throughput = markdownTable(
    [
      'workload',
      'server',
      'req/s',
      'p99',
      'vs nginx',
      'vs node:http',
      'vs node:net',
      'CPU/req',
      'CPU vs node:http',
      'CPU vs node:net',
      'errors',
    ],
    summary.throughput.map((row) => [
      workloadTitles.get(row.workload) ?? row.workload,
      serverTitles.get(row.server) ?? row.server,
      formatRate(row.requestsPerSecond),
      row.p99Ms === null ? 'n/a' : `${row.p99Ms.toFixed(2)} ms`,
      formatRatio(row.vsNginx),
      formatRatio(row.vsNodeHttp),
      formatRatio(row.vsNodeNet),
      row.cpuUsPerRequest === null ? 'n/a' : `${row.cpuUsPerRequest.toFixed(1)} µs`,
      formatRatio(row.cpuVsNodeHttp),
      formatRatio(row.cpuVsNodeNet),
      String(row.errors),
    ]),
    [false, false, true, true, true, true, true, true, true, true, true],
  );
  const memory = markdownTable(
    [
      'server',
      'RSS idle',
      'RSS after load',
      'idle conns held',
      'RSS added by idle conns',
      'per conn',
    ],
    summary.memory.map((row) => [
      serverTitles.get(row.server) ?? row.server,
      formatMiB(row.rssIdle),
      formatMiB(row.rssAfterLoad),
      row.idleHeld === null ? 'n/a' : `${row.idleHeld} / ${row.idleRequested}`,
      formatMiB(row.idleExtra),
      row.idleExtra === null || !row.idleHeld
        ? 'n/a'
        : `${(row.idleExtra / row.idleHeld / 1024).toFixed(2)} KiB`,
    ]),
    [false, true, true, true, true, true],
  );
  return `${throughput}\n\n${memory}`;
}
