// Runs wrk with any thread count and extra headers, and reads what the reload and workers tables
// need beyond wrk-output.mjs: p90, max latency and each kind of socket error on its own.
import { runToEnd } from './processes.mjs';
import { parseWrkOutput, parseWrkTime } from './wrk-output.mjs';

/**
 * @typedef {object} SocketErrors wrk's "Socket errors" line, zeros when it printed none
 * @property {number} connect refused or failed connects
 * @property {number} read reads that failed (a reset, or a close before the response)
 * @property {number} write
 * @property {number} timeout requests with no response within wrk's 2 s timeout
 */

/**
 * @typedef {import('./wrk-output.mjs').WrkResult & {
 *   p90Ms: number | null,
 *   maxMs: number | null,
 *   errors: SocketErrors,
 * }} DetailedWrkResult
 */

/**
 * The extra fields, read from wrk's report (run with --latency).
 * @param {string} output
 * @returns {{ p90Ms: number | null, maxMs: number | null, errors: SocketErrors }}
 */
export function parseWrkDetails(output) {
  const p90 = /^\s*90%\s+(\S+)/m.exec(output);
  // "Latency   avg   stdev   max   +/- stdev": the third figure is the slowest request.
  const latency = /^\s*Latency\s+\S+\s+\S+\s+(\S+)/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const count = (/** @type {number} */ i) => (socket === null ? 0 : Number(socket[i]));
  return {
    p90Ms: p90 === null ? null : parseWrkTime(p90[1]),
    maxMs: latency === null ? null : parseWrkTime(latency[1]),
    errors: { connect: count(1), read: count(2), write: count(3), timeout: count(4) },
  };
}

/**
 * @param {object} options
 * @param {string} options.wrk path of the wrk binary
 * @param {string} options.url
 * @param {number} options.threads wrk -t
 * @param {number} options.connections wrk -c
 * @param {number} options.seconds wrk -d
 * @param {string[]} [options.headers] each one a `-H` value ("Connection: close")
 * @param {number | null} [options.cpu] pin wrk to this CPU, null to let it float
 * @returns {Promise<DetailedWrkResult>}
 */
export async function runWrkDetailed({
  wrk,
  url,
  threads,
  connections,
  seconds,
  headers = [],
  cpu = null,
}) {
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...headers.flatMap((header) => ['-H', header]),
    url,
  ];
  const result = await runToEnd({
    label: 'wrk',
    command: wrk,
    args,
    cpu,
    timeoutMs: seconds * 1000 + 15_000,
  });
  if (result.code !== 0) {
    throw new Error(`wrk exited ${result.code}: ${result.stderr}${result.stdout}`);
  }
  return { ...parseWrkOutput(result.stdout), ...parseWrkDetails(result.stdout) };
}
