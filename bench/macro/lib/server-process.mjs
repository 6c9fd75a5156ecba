// Starts one benchmark server on a free port, pinned, and hands back a way to stop it by PID.
import { checkHelloResponse } from './check-response.mjs';
import { pickFreePort } from './ports.mjs';
import { isRunning, launch, sleep, stop, waitForPort } from './processes.mjs';

/**
 * @typedef {object} StartedServer
 * @property {import('./servers.mjs').ServerSpec} spec
 * @property {number} pid
 * @property {number} port
 * @property {() => boolean} alive
 * @property {() => string} output the last few KB it printed
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after 3 s; removes its temp files
 */

/**
 * Starts it, waits until it accepts, checks `GET /` answers 200 "Hello, World!" (or runs the
 * spec's own check), then waits
 * 0.5 s so start-up work (JIT, lazy allocations) settles before anyone reads its RSS.
 * Stops it again when any of that fails.
 * @param {import('./servers.mjs').ServerSpec} spec
 * @param {number | null} cpu
 * @returns {Promise<StartedServer>}
 */
export async function startServer(spec, cpu) {
  const port = await pickFreePort();
  const prepared = spec.prepare(port);
  const launched = launch({
    label: spec.name,
    command: prepared.command,
    args: prepared.args,
    cpu,
    env: prepared.env,
  });
  const stopIt = async () => {
    await stop(launched);
    prepared.cleanup();
  };
  try {
    await waitForPort(launched, port, 10_000);
    await (spec.check ?? checkHelloResponse)(port);
    await sleep(500);
  } catch (error) {
    await stopIt();
    throw error;
  }
  return {
    spec,
    pid: launched.pid,
    port,
    alive: () => isRunning(launched),
    output: launched.output,
    stop: stopIt,
  };
}
