// Describes the machine a run happened on: CPUs, kernel, OS and the versions of every tool involved.
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { toolVersion } from './tools.mjs';

/**
 * @typedef {object} Machine
 * @property {number} nproc
 * @property {string} cpu
 * @property {string} kernel
 * @property {string} os
 * @property {string} node
 * @property {string} nginx
 * @property {string} wrk
 */

/**
 * @param {string} path
 * @returns {string}
 */
function readOr(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * @param {import('./tools.mjs').Tools} tools
 * @returns {Machine}
 */
export function describeMachine(tools) {
  const cpuLine = readOr('/proc/cpuinfo')
    .split('\n')
    .find((line) => line.startsWith('model name'));
  const osLine = readOr('/etc/os-release')
    .split('\n')
    .find((line) => line.startsWith('PRETTY_NAME='));
  return {
    nproc: availableParallelism(),
    cpu: cpuLine === undefined ? 'unknown' : cpuLine.slice(cpuLine.indexOf(':') + 1).trim(),
    kernel: release(),
    os: osLine === undefined ? 'unknown' : osLine.slice(13).replace(/"$/, ''),
    node: process.version,
    nginx: toolVersion(tools.nginx, ['-v']).replace('nginx version: ', ''),
    wrk: toolVersion(tools.wrk, ['-v']).replace(/ Copyright.*$/, ''),
  };
}
