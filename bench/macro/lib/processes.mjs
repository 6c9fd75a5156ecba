// Starts the benchmark's child processes (pinned to a CPU, open-file limit raised), tracks them,
// and stops them by PID: SIGTERM, a grace period, then SIGKILL to the process group we created.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

/**
 * @typedef {object} Launched
 * @property {ChildProcess} child
 * @property {number} pid
 * @property {string} label
 * @property {Promise<{ code: number | null, signal: string | null }>} exited
 * @property {() => string} output the last few KB the process wrote to stdout and stderr
 */

/** Every process started and not yet seen to exit, by PID, so a finally or SIGINT can stop them. */
const running = new Map();

// Raises the soft open-file limit as far as allowed (10k idle sockets need 10k descriptors),
// then execs the command so the PID we hold is the program's own.
const wrapper = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/**
 * Starts command in its own process group, pinned to cpu with taskset when cpu is a number.
 * @param {object} options
 * @param {string} options.label name for messages
 * @param {string} options.command
 * @param {string[]} options.args
 * @param {number | null} options.cpu
 * @param {string} [options.cwd]
 * @param {NodeJS.ProcessEnv} [options.env]
 * @returns {Launched}
 */
export function launch({ label, command, args, cpu, cwd, env }) {
  const pinned =
    cpu === null ? [command, ...args] : ['taskset', '-c', String(cpu), command, ...args];
  const child = spawn('bash', ['-c', wrapper, 'bash', ...pinned], {
    cwd,
    env: env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${label}: could not start ${command}`);
  const pid = child.pid;
  let tail = '';
  /** @param {Buffer} chunk */
  const keep = (chunk) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(pid);
      resolve({ code, signal });
    });
  });
  /** @type {Launched} */
  const launched = { child, pid, label, exited, output: () => tail };
  running.set(pid, launched);
  return launched;
}

/**
 * @param {Launched} launched
 * @returns {boolean} whether it has not been seen to exit
 */
export function isRunning(launched) {
  return running.has(launched.pid);
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves true when the promise settles within ms, false otherwise.
 * @param {Promise<unknown>} promise
 * @param {number} ms
 * @returns {Promise<boolean>}
 */
async function settlesWithin(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}

/**
 * Sends a signal to a PID (or, negative, to the process group we created), ignoring ESRCH.
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 */
function signal(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stops one launched process: SIGTERM to its PID (nginx's master then stops its worker), and
 * after graceMs SIGKILL to the process group it leads, so no worker outlives it.
 * @param {Launched} launched
 * @param {number} [graceMs]
 * @returns {Promise<void>}
 */
export async function stop(launched, graceMs = 3000) {
  if (!running.has(launched.pid)) return;
  signal(launched.pid, 'SIGTERM');
  if (await settlesWithin(launched.exited, graceMs)) return;
  signal(-launched.pid, 'SIGKILL');
  await settlesWithin(launched.exited, 2000);
}

/**
 * Stops everything still running, each by its PID (for finally blocks and SIGINT).
 * @returns {Promise<void>}
 */
export async function stopAll() {
  await Promise.all([...running.values()].map((launched) => stop(launched, 2000)));
}

/**
 * Runs a command to completion (pinned like launch), killing it after timeoutMs.
 * @param {object} options
 * @param {string} options.label
 * @param {string} options.command
 * @param {string[]} options.args
 * @param {number | null} options.cpu
 * @param {number} options.timeoutMs
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export async function runToEnd({ label, command, args, cpu, timeoutMs }) {
  const launched = launch({ label, command, args, cpu });
  let stdout = '';
  let stderr = '';
  launched.child.stdout?.on('data', (chunk) => (stdout += chunk));
  launched.child.stderr?.on('data', (chunk) => (stderr += chunk));
  if (!(await settlesWithin(launched.exited, timeoutMs))) {
    await stop(launched, 1000);
    throw new Error(`${label}: still running after ${timeoutMs / 1000}s, stopped`);
  }
  const { code } = await launched.exited;
  return { code, stdout, stderr };
}

/**
 * Waits until something accepts TCP connections on 127.0.0.1:port, or fails when the process
 * exits first or timeoutMs passes.
 * @param {Launched} launched
 * @param {number} port
 * @param {number} timeoutMs
 * @returns {Promise<void>}
 */
export async function waitForPort(launched, port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running.has(launched.pid)) {
      throw new Error(`${launched.label} exited before listening:\n${launched.output()}`);
    }
    const open = await new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setTimeout(500);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`${launched.label} did not listen on port ${port} within ${timeoutMs / 1000}s`);
}
