// `npm run bench:reload`: wrk against `porta run` (workers 2 and 1; a respond and a static route),
// once as a baseline and once while the config is edited and reloaded 10 times. See bench/README.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describeMachine } from './lib/machine.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { PORTA_MAIN_RELATIVE } from './lib/porta-main.mjs';
import { fetchOnce, startPortaRun } from './lib/reload-porta.mjs';
import { RELOAD_DONE, measureRun } from './lib/reload-run.mjs';
import { readReloadSettings } from './lib/reload-settings.mjs';
import { reloadProblems, renderReloadTable } from './lib/reload-table.mjs';
import { writeResultsFile } from './lib/results-file.mjs';
import { ensureTools } from './lib/tools.mjs';
import { runBench } from './lib/run-bench.mjs';

/** @param {string} line */
const log = (line) => console.log(line);

/** Temp folders of this run, removed in finally and on SIGINT. */
const tempDirs = new Set();
function removeTempDirs() {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Busy-machine threshold of the brief: a load average above it skews the numbers. */
const BUSY_LOAD = 1.5;

/** The 1 KiB file the static variant serves: printable text, so no server treats it as binary. */
const FILE_1K = Buffer.alloc(1024, 'porta reload benchmark 0123456789\n');

/**
 * The config of one version: GET /version answers "v<version>" on both variants, so a check
 * after the last reload shows the new config is the one serving.
 * @param {object} options
 * @param {number} options.workers
 * @param {number} options.port
 * @param {string} options.route respond | static
 * @param {string} options.root folder holding 1k.txt
 * @param {number} version
 */
function configFor({ workers, port, route, root }, version) {
  const main =
    route === 'respond'
      ? { path: '/', respond: { body: `Hello, World! v${version}\n` } }
      : { path: '/', static: { root, compress: false } };
  return {
    workers,
    log: { level: 'info', access: 'off' },
    sites: [
      {
        listen: [`127.0.0.1:${port}`],
        routes: [{ path: '/version', respond: { body: `v${version}\n` } }, main],
      },
    ],
  };
}

/** @type {Record<string, string[]>} */
const workloadHeaders = { 'keep-alive': [], close: ['Connection: close'] };

async function main() {
  const startedAt = new Date();
  const settings = readReloadSettings();
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench:reload: wrk is required; run scripts/install-bench-deps.sh as root');
    return 1;
  }
  const machine = describeMachine(tools);
  const wrk = tools.wrk;
  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, kernel ${machine.kernel}`);
  log(`tools: node ${machine.node}, ${machine.wrk}`);
  log(
    `method: wrk -t1 -c${settings.connections} -d${settings.duration}s --latency (not pinned), ` +
      `a ${settings.warmup}s warm-up, then a baseline run and a run with ${settings.reloads} ` +
      `reloads every ${settings.interval}s (config edited each time)`,
  );
  const loadAtStart = loadavg()[0] ?? 0;
  if (loadAtStart > BUSY_LOAD) {
    log(`warning: load average ${loadAtStart.toFixed(2)} (> ${BUSY_LOAD}): the machine is busy`);
  }

  const filesDir = mkdtempSync(join(tmpdir(), 'porta-bench-reload-files-'));
  tempDirs.add(filesDir);
  writeFileSync(join(filesDir, '1k.txt'), FILE_1K);

  /** @type {import('./lib/reload-table.mjs').ReloadRow[]} */
  const rows = [];
  /** @type {string[]} */
  const commands = [];
  for (const workers of settings.workers) {
    for (const route of settings.routes) {
      const dir = mkdtempSync(join(tmpdir(), 'porta-bench-reload-'));
      tempDirs.add(dir);
      const port = await pickFreePort();
      const shape = { workers, port, route, root: filesDir };
      let version = 0;
      const porta = await startPortaRun({
        label: `porta workers ${workers} ${route}`,
        dir,
        port,
        config: configFor(shape, version),
      });
      commands.push(
        `node ${PORTA_MAIN_RELATIVE} run -c ${porta.configPath} --pid-file ${porta.pidPath}`,
      );
      try {
        const path = route === 'respond' ? '/' : '/1k.txt';
        const url = `http://127.0.0.1:${port}${path}`;
        const first = await fetchOnce(port, path);
        const expected = route === 'respond' ? Buffer.from('Hello, World! v0\n') : FILE_1K;
        if (first.status !== 200 || !first.body.equals(expected)) {
          throw new Error(`${url}: status ${first.status}, unexpected body; not measuring`);
        }
        log(`\nporta workers: ${workers}, ${route} route, ${url}`);
        for (const workload of settings.workloads) {
          const headers = workloadHeaders[workload] ?? [];
          if (settings.warmup > 0) {
            await measureRun({
              wrk,
              url,
              headers,
              settings: { ...settings, duration: settings.warmup },
              porta,
              reloads: null,
            });
          }
          for (const kind of /** @type {const} */ (['baseline', 'reloads'])) {
            const run = await measureRun({
              wrk,
              url,
              headers,
              settings,
              porta,
              reloads:
                kind === 'baseline'
                  ? null
                  : { configFor: (v) => configFor(shape, v), firstVersion: version + 1 },
            });
            if (run.reload !== null) version += run.reload.sent;
            rows.push({ workers, route, workload, run });
            const problems = reloadProblems(run);
            log(
              `  ${workload} ${kind}: ${run.wrk.requests} requests, ` +
                `${run.wrk.requestsPerSecond.toFixed(0)} req/s` +
                (run.reload === null
                  ? ''
                  : `, ${run.reload.done}/${run.reload.sent} reloads logged`) +
                (problems.length > 0 ? ` -- ${problems.join('; ')}` : ''),
            );
          }
        }
        log(`  server log: ${porta.count(RELOAD_DONE)} "${RELOAD_DONE}" lines in all`);
      } finally {
        await porta.stop();
        rmSync(dir, { recursive: true, force: true });
        tempDirs.delete(dir);
      }
    }
  }

  const loadAtEnd = loadavg()[0] ?? 0;
  log('\n' + renderReloadTable(rows));
  const reloadRuns = rows.filter((row) => row.run.kind === 'reloads');
  const failedRuns = reloadRuns.filter((row) => reloadProblems(row.run).length > 0);
  log(
    `\nbar (0 failed requests, 0 refused connections, every reload logged and serving): ` +
      `${reloadRuns.length - failedRuns.length}/${reloadRuns.length} reload runs pass`,
  );
  for (const row of failedRuns) {
    log(
      `  FAIL workers ${row.workers} ${row.route} ${row.workload}: ${reloadProblems(row.run).join('; ')}`,
    );
  }
  if (loadAtStart > BUSY_LOAD) {
    log(
      `note: load average ${loadAtStart.toFixed(2)} at start (> ${BUSY_LOAD}): other work was ` +
        `running; latencies are inflated`,
    );
  }
  log(`load average at end: ${loadAtEnd.toFixed(2)} (includes this benchmark's own load)`);
  const file = writeResultsFile(
    startedAt,
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      settings,
      loadAverage: { atStart: loadAtStart, atEnd: loadAtEnd },
      commands,
      rows,
    },
    'reload-',
  );
  log(`\nresults: ${relative(process.cwd(), file)}`);
  return failedRuns.length > 0 ? 1 : 0;
}

await runBench('bench:reload', () => readReloadSettings().timeout, main, removeTempDirs);
