// One loaded run of the reload benchmark: wrk against a running porta, optionally while the config
// file is edited and `porta reload` sent N times; then the log is read for what each reload did.
import { performance } from 'node:perf_hooks';
import { sleep } from './processes.mjs';
import { fetchOnce } from './reload-porta.mjs';
import { runWrkDetailed } from './reload-wrk.mjs';
import { median } from './stats.mjs';

/** What the primary logs when a reload starts, succeeds, fails (src/cli/run-server.ts). */
export const RELOAD_STARTED = 'Got SIGHUP: reloading the configuration';
export const RELOAD_DONE = 'Configuration reloaded';
export const RELOAD_FAILED = 'Reload failed';

/**
 * @typedef {object} ReloadOutcome
 * @property {number} sent `porta reload` commands that ran
 * @property {number} done "Configuration reloaded" lines after the run started
 * @property {number} doneUnderLoad of those, the ones logged before wrk finished
 * @property {number} failed "Reload failed" lines
 * @property {number | null} p50Ms median time a reload took, from "Got SIGHUP" (or the end of the
 *   reload queued before it) to "Configuration reloaded"
 * @property {number | null} maxMs the slowest of those
 * @property {string | null} versionSeen body of GET /version after the last reload
 * @property {string} versionExpected
 */

/**
 * @typedef {object} LoadedRun
 * @property {'baseline' | 'reloads'} kind
 * @property {import('./reload-wrk.mjs').DetailedWrkResult} wrk
 * @property {ReloadOutcome | null} reload null for the baseline
 */

/**
 * Waits until at least `want` log lines from index `from` contain text, or ms pass.
 * @param {import('./reload-porta.mjs').PortaRun} porta
 * @param {number} from
 * @param {string} text
 * @param {number} want
 * @param {number} ms
 */
async function waitForLines(porta, from, text, want, ms) {
  const deadline = Date.now() + ms;
  const seen = () => porta.lines.slice(from).filter((l) => l.text.includes(text)).length;
  while (seen() < want && Date.now() < deadline) await sleep(100);
}

/**
 * Sends `count` reloads about every `interval` seconds, centred in a window of `seconds`; before
 * each one the config file changes (the version number), so every reload really changes something.
 * @param {object} options
 * @param {import('./reload-porta.mjs').PortaRun} options.porta
 * @param {(version: number) => object} options.configFor
 * @param {number} options.firstVersion the version the first reload writes
 * @param {number} options.count
 * @param {number} options.interval seconds
 * @param {number} options.seconds length of the load window
 * @returns {Promise<number>} reloads sent
 */
async function sendReloads({ porta, configFor, firstVersion, count, interval, seconds }) {
  const start = performance.now();
  const lead = Math.max(0.5, (seconds - count * interval) / 2);
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const due = start + (lead + i * interval) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    porta.writeConfig(configFor(firstVersion + i));
    await porta.reload();
    sent++;
  }
  return sent;
}

/**
 * A measured wrk run; with `reloads`, `porta reload` runs during it and the log is read afterwards.
 * @param {object} options
 * @param {string} options.wrk
 * @param {string} options.url
 * @param {string[]} options.headers
 * @param {import('./reload-settings.mjs').ReloadSettings} options.settings
 * @param {import('./reload-porta.mjs').PortaRun} options.porta
 * @param {{ configFor: (version: number) => object, firstVersion: number } | null} options.reloads
 * @returns {Promise<LoadedRun>}
 */
export async function measureRun({ wrk, url, headers, settings, porta, reloads }) {
  const from = porta.lines.length;
  const load = runWrkDetailed({
    wrk,
    url,
    threads: 1,
    connections: settings.connections,
    seconds: settings.duration,
    headers,
  });
  // Marks a wrk failure as handled while the reloads run; `await load` below still throws it.
  load.catch(() => undefined);
  if (reloads === null) return { kind: 'baseline', wrk: await load, reload: null };

  let sent = 0;
  /** @type {unknown} */
  let reloadError = null;
  try {
    sent = await sendReloads({
      porta,
      configFor: reloads.configFor,
      firstVersion: reloads.firstVersion,
      count: settings.reloads,
      interval: settings.interval,
      seconds: settings.duration,
    });
  } catch (error) {
    reloadError = error; // still wait for wrk, so no load outlives the run
  }
  const result = await load;
  const loadEnded = performance.now();
  if (reloadError !== null) throw reloadError;
  // Reloads queued behind a rolling restart may land after the load stopped: wait for them.
  await waitForLines(porta, from, RELOAD_DONE, sent, 20_000);

  const lines = porta.lines.slice(from);
  const started = lines.filter((l) => l.text.includes(RELOAD_STARTED));
  const done = lines.filter((l) => l.text.includes(RELOAD_DONE));
  // Reloads run one after another in the primary, so the i-th done line ends the i-th SIGHUP; one
  // that arrived while the previous was still rolling starts when that one ends (queue time out).
  const durations = done.flatMap((line, i) => {
    const begin = started[i];
    if (begin === undefined) return [];
    const previous = done[i - 1];
    return [line.at - Math.max(begin.at, previous === undefined ? 0 : previous.at)];
  });
  const lastVersion = reloads.firstVersion + sent - 1;
  const versionExpected = `v${lastVersion}\n`;
  let versionSeen = null;
  try {
    const reply = await fetchOnce(porta.port, '/version');
    versionSeen = reply.status === 200 ? reply.body.toString('utf8') : `status ${reply.status}`;
  } catch (error) {
    versionSeen = `error: ${error instanceof Error ? error.message : String(error)}`;
  }
  return {
    kind: 'reloads',
    wrk: result,
    reload: {
      sent,
      done: done.length,
      doneUnderLoad: done.filter((line) => line.at <= loadEnded).length,
      failed: lines.filter((l) => l.text.includes(RELOAD_FAILED)).length,
      p50Ms: median(durations),
      maxMs: durations.length === 0 ? null : Math.max(...durations),
      versionSeen,
      versionExpected,
    },
  };
}
