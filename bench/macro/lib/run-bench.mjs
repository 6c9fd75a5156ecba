// Runs one benchmark entry point: a time limit, Ctrl-C handling, and every server stopped at the end.
import { stopAll } from './processes.mjs';

/**
 * Runs `main` and sets the exit code from it. SIGINT, SIGTERM and the time limit stop every
 * process the run started (by PID) and call `cleanUp` before exiting; so does a normal end.
 * @param {string} name         prefix of messages, e.g. "bench:static"
 * @param {() => number} timeoutSeconds  read inside the guarded block (settings may throw)
 * @param {() => Promise<number>} main
 * @param {() => void} cleanUp  removes temp folders
 */
export async function runBench(name, timeoutSeconds, main, cleanUp) {
  /** @param {string} reason @param {number} code */
  const abort = (reason, code) => {
    console.error(`\n${name}: ${reason}; stopping servers`);
    void stopAll().finally(() => {
      cleanUp();
      process.exit(code);
    });
  };
  process.on('SIGINT', () => abort('interrupted', 130));
  process.on('SIGTERM', () => abort('terminated', 143));
  let watchdog = setTimeout(() => {}, 0);
  try {
    const limit = timeoutSeconds();
    watchdog = setTimeout(
      () => abort(`time limit of ${limit}s reached (BENCH_TIMEOUT)`, 1),
      limit * 1000,
    );
    process.exitCode = await main();
  } catch (error) {
    console.error(
      `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    await stopAll();
    cleanUp();
  }
}
