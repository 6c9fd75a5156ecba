// `npm run bench:workers`: a 1 KiB static file from porta and nginx, each with 1 and 2 workers, in
// one run on this machine (server and wrk share every core); medians, ratios, CPU per request.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describeMachine } from './lib/machine.mjs';
import { runWrkDetailed } from './lib/reload-wrk.mjs';
import { writeResultsFile } from './lib/results-file.mjs';
import { readNumber } from './lib/settings.mjs';
import { treeCpuSeconds } from './lib/cpu.mjs';
import { ensureTools } from './lib/tools.mjs';
import { busyShare, readMachineTicks } from './lib/workers-machine-cpu.mjs';
import { startSubject, subjects } from './lib/workers-subjects.mjs';
import { renderWorkersTable, summarizeWorkers } from './lib/workers-table.mjs';
import { runBench } from './lib/run-bench.mjs';

/** @param {string} line */
const log = (line) => console.log(line);

/** Busy-machine threshold of the brief: a load average above it skews the numbers. */
const BUSY_LOAD = 1.5;
const FILE_NAME = '1k.txt';
/** Printable text, so no server treats it as binary. */
const FILE_1K = Buffer.alloc(1024, 'porta workers benchmark 0123456789\n');

/** Temp folders of this run, removed in finally and on SIGINT. */
const tempDirs = new Set();

function readWorkersSettings() {
  const duration = readNumber('BENCH_DURATION', 10, 1);
  const warmup = readNumber('BENCH_WARMUP', 2, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 2, 1));
  const threads = Math.round(readNumber('BENCH_THREADS', 2, 1));
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 100, 1));
  const perRun = duration + warmup + 10; // start, check, stop
  const timeout = readNumber('BENCH_TIMEOUT', passes * subjects.length * perRun * 2 + 60, 10);
  return { duration, warmup, passes, threads, connections, timeout };
}

async function main() {
  const startedAt = new Date();
  const settings = readWorkersSettings();
  const tools = ensureTools();
  if (tools.wrk === null || tools.nginx === null) {
    console.error('bench:workers: wrk and nginx are required; run scripts/install-bench-deps.sh');
    return 1;
  }
  const wrk = tools.wrk;
  const machine = describeMachine(tools);
  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, kernel ${machine.kernel}`);
  log(`tools: node ${machine.node}, ${machine.nginx}, ${machine.wrk}`);
  log(
    `method: GET /${FILE_NAME} (1 KiB), wrk -t${settings.threads} -c${settings.connections} ` +
      `-d${settings.duration}s --latency after a ${settings.warmup}s warm-up, not pinned ` +
      `(server and wrk share all ${machine.nproc} CPUs), ${settings.passes} pass(es), medians`,
  );
  const loadAtStart = loadavg()[0] ?? 0;
  if (loadAtStart > BUSY_LOAD) {
    log(`warning: load average ${loadAtStart.toFixed(2)} (> ${BUSY_LOAD}): the machine is busy`);
  }
  const root = mkdtempSync(join(tmpdir(), 'porta-bench-workers-files-'));
  tempDirs.add(root);
  writeFileSync(join(root, FILE_NAME), FILE_1K);

  /** @type {import('./lib/workers-table.mjs').WorkersMeasurement[]} */
  const measurements = [];
  /** @type {Record<string, string>} */
  const commands = {};
  for (let pass = 1; pass <= settings.passes; pass++) {
    log(`\npass ${pass}/${settings.passes}`);
    for (const subject of subjects) {
      const server = await startSubject({
        subject,
        root,
        fileName: FILE_NAME,
        content: FILE_1K,
        nginx: tools.nginx,
      });
      commands[subject.name] = server.command;
      try {
        const url = `http://127.0.0.1:${server.port}/${FILE_NAME}`;
        const load = { wrk, url, threads: settings.threads, connections: settings.connections };
        if (settings.warmup > 0) await runWrkDetailed({ ...load, seconds: settings.warmup });
        const processes = server.processes();
        const before = treeCpuSeconds(server.pid);
        const machineBefore = readMachineTicks();
        const result = await runWrkDetailed({ ...load, seconds: settings.duration });
        const cpuSeconds = treeCpuSeconds(server.pid) - before;
        const machineBusy = busyShare(machineBefore, readMachineTicks());
        // Of all the CPU time the machine had (every core), the server's share.
        const serverShare = cpuSeconds / (result.seconds * machine.nproc);
        const cpuUsPerRequest = result.requests > 0 ? (cpuSeconds * 1e6) / result.requests : 0;
        measurements.push({
          name: subject.name,
          pass,
          processes,
          wrk: result,
          cpuSeconds,
          cpuUsPerRequest,
          serverShare,
          machineBusy,
        });
        log(
          `  ${subject.server} ${subject.workers} worker(s), ${processes} processes: ` +
            `${result.requestsPerSecond.toFixed(0)} req/s, ${cpuUsPerRequest.toFixed(1)} µs CPU/req, ` +
            `server ${(serverShare * 100).toFixed(0)}% of all CPUs, machine ` +
            `${machineBusy === null ? 'n/a' : (machineBusy * 100).toFixed(0)}% busy, ` +
            `${result.socketErrors + result.non2xx} errors`,
        );
      } finally {
        await server.stop();
      }
    }
  }

  const rows = summarizeWorkers(subjects, measurements);
  const loadAtEnd = loadavg()[0] ?? 0;
  log(`\nmedians of ${settings.passes} pass(es):\n`);
  log(renderWorkersTable(rows, machine.nginx));
  const porta2 = rows.find((r) => r.subject.name === 'porta-2');
  const vs = porta2?.vsNginx2 ?? null;
  log(
    `\ntarget: porta 2 workers >= 1.00x nginx 2 workers: ` +
      (vs === null ? 'not measured' : `${vs.toFixed(2)}x, ${vs >= 1 ? 'met' : 'NOT met'}`),
  );
  if (loadAtStart > BUSY_LOAD) {
    log(
      `note: load average ${loadAtStart.toFixed(2)} at start (> ${BUSY_LOAD}): other work was ` +
        `running; these numbers are skewed`,
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
      measurements,
    },
    'workers-',
  );
  log(`\nresults: ${relative(process.cwd(), file)}`);
  return rows.some((row) => row.errors > 0) ? 1 : 0;
}

function removeWorkerTempDirs() {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

await runBench('bench:workers', () => readWorkersSettings().timeout, main, removeWorkerTempDirs);
