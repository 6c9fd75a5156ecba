// Runs one wrk measurement (one thread, pinned) against a URL and returns its parsed report.
import { runToEnd } from './processes.mjs';
import { parseWrkOutput } from './wrk-output.mjs';

/**
 * @param {object} options
 * @param {string} options.wrk path of the wrk binary
 * @param {string} options.url
 * @param {import('./workloads.mjs').Workload} options.workload
 * @param {number} options.seconds
 * @param {number} options.connections
 * @param {number | null} options.cpu
 * @returns {Promise<import('./wrk-output.mjs').WrkResult>}
 */
export async function runWrk({ wrk, url, workload, seconds, connections, cpu }) {
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...workload.options,
    url,
    ...(workload.scriptArgs.length > 0 ? ['--', ...workload.scriptArgs] : []),
  ];
  const result = await runToEnd({
    label: `wrk ${workload.name}`,
    command: wrk,
    args,
    cpu,
    timeoutMs: seconds * 1000 + 15_000,
  });
  if (result.code !== 0) {
    throw new Error(`wrk exited ${result.code}: ${result.stderr}${result.stdout}`);
  }
  return parseWrkOutput(result.stdout);
}
