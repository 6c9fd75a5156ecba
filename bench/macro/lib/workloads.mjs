// The load shapes wrk applies to every server: keep-alive, Connection: close, 16-deep pipelining.
import { fileURLToPath } from 'node:url';

const pipelineScript = fileURLToPath(new URL('../pipeline.lua', import.meta.url));

/**
 * @typedef {object} Workload
 * @property {string} name short key (BENCH_WORKLOADS, JSON results)
 * @property {string} title for tables
 * @property {string[]} options wrk options before the URL
 * @property {string[]} scriptArgs arguments after `--` for the wrk script
 */

/**
 * @param {number} pipelineDepth
 * @returns {Workload[]}
 */
export function createWorkloads(pipelineDepth) {
  return [
    { name: 'keep-alive', title: '13 B keep-alive', options: [], scriptArgs: [] },
    {
      name: 'close',
      title: '13 B Connection: close',
      options: ['-H', 'Connection: close'],
      scriptArgs: [],
    },
    {
      name: 'pipeline',
      title: `13 B pipelined x${pipelineDepth}`,
      options: ['-s', pipelineScript],
      scriptArgs: [String(pipelineDepth)],
    },
  ];
}
