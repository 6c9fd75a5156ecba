// Reads wrk's text report (run with --latency): requests per second, latency percentiles, errors.

/**
 * @typedef {object} WrkResult
 * @property {number} requestsPerSecond
 * @property {number} requests total responses counted
 * @property {number} seconds measured duration
 * @property {number | null} p50Ms
 * @property {number | null} p99Ms
 * @property {number} socketErrors connect + read + write + timeout
 * @property {number} timeouts
 * @property {number} non2xx responses outside 2xx/3xx
 * @property {number | null} rateStdev wrk's "Req/Sec" standard deviation (per 100 ms sample of
 *   its one thread): a large one next to the mean means the machine was busy with other work
 */

/** wrk's time units (src/units.c) in milliseconds. */
const timeUnits = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "3.60k" -> 3600 (wrk's metric units, src/units.c).
 * @param {string} text
 * @returns {number | null}
 */
function parseWrkCount(text) {
  const match = /^([\d.]+)([kMGTP]?)$/.exec(text.trim());
  if (match === null) return null;
  const scale = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
  return Number(match[1]) * scale[/** @type {keyof typeof scale} */ (match[2])];
}

/**
 * "320.00us" -> 0.32 (milliseconds); null when it does not read.
 * @param {string} text
 * @returns {number | null}
 */
export function parseWrkTime(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (match === null) return null;
  const [, number, unit] = match;
  return Number(number) * timeUnits[/** @type {keyof typeof timeUnits} */ (unit)];
}

/**
 * wrk 4.1 sometimes prints 0.00us for the 99th percentile under pipelining (its histogram walk
 * overflows); a zero p99, or one below p90, is that slip: report it as unknown, not as zero.
 * @param {number | null} p90
 * @param {number | null} p99
 * @returns {number | null}
 */
function consistentP99(p90, p99) {
  if (p99 === null || p99 === 0) return null;
  return p90 !== null && p99 < p90 ? null : p99;
}

/**
 * @param {string} output wrk's stdout
 * @returns {WrkResult}
 */
export function parseWrkOutput(output) {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (rps === null) throw new Error(`wrk printed no Requests/sec line:\n${output}`);
  const total = /^\s*(\d+) requests in ([\d.]+\w+)/m.exec(output);
  const percentile = (/** @type {string} */ p) => {
    const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(output);
    return match === null ? null : parseWrkTime(match[1]);
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const rate = /^\s*Req\/Sec\s+(\S+)\s+(\S+)/m.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const counts = errors === null ? [0, 0, 0, 0] : errors.slice(1, 5).map(Number);
  return {
    requestsPerSecond: Number(rps[1]),
    requests: total === null ? 0 : Number(total[1]),
    seconds: total === null ? 0 : (parseWrkTime(total[2]) ?? 0) / 1000,
    p50Ms: percentile('50'),
    p99Ms: consistentP99(percentile('90'), percentile('99')),
    socketErrors: counts.reduce((sum, n) => sum + n, 0),
    timeouts: counts[3],
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    rateStdev: rate === null ? null : parseWrkCount(rate[2]),
  };
}
