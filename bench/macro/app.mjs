// `npm run bench:app`: the same Hono app (examples/hono-app) on porta (`porta app`, one worker), on
// @hono/node-server and on srvx, side by side in one run: every route of every server warmed first,
// then wrk on a JSON route and a 1 KiB text route, keep-alive, in interleaved passes; medians of
// req/s, p99 and server CPU per request, and each server's RSS. Server on CPU 0, wrk on CPU 1.
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { treeCpuSeconds } from './lib/cpu.mjs';
import { APP, createAppSubjects } from './lib/app-subjects.mjs';
import { describeMachine } from './lib/machine.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { launch, stop, waitForPort } from './lib/processes.mjs';
import { runWrkDetailed } from './lib/reload-wrk.mjs';
import { writeResultsFile } from './lib/results-file.mjs';
import { processTree, readRss } from './lib/rss.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readList, readNumber } from './lib/settings.mjs';
import { median, ratio } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ROUTES = ['/json', '/text'];
/** The re-warm before each measured run: the route's code is hot again after another server ran. */
const REWARM_SECONDS = 1;

/** @param {number} bytes */
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const load = () => (loadavg()[0] ?? 0).toFixed(2);

/**
 * @typedef {object} Measured
 * @property {number[]} rps
 * @property {number[]} p99
 * @property {number[]} cpuUs server CPU (user + system, process tree) per request, µs
 * @property {number} errors socket errors and non-2xx over all passes
 */

/**
 * @typedef {object} Running
 * @property {import('./lib/app-subjects.mjs').AppSubject} subject
 * @property {import('./lib/processes.mjs').Launched} server
 * @property {number} port
 */

async function main() {
  const startedAt = new Date();
  const duration = readNumber('BENCH_DURATION', 5, 1);
  const warmup = readNumber('BENCH_WARMUP', 3, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 3, 1));
  const pairedPasses = Math.round(readNumber('BENCH_PAIRED_PASSES', 3, 0));
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const only = readList('BENCH_SERVERS');
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench:app: wrk is required; run scripts/install-bench-deps.sh');
    return 1;
  }
  const wrk = tools.wrk;
  const machine = describeMachine(tools);
  // Server on CPU 0, wrk on CPU 1: they never compete for a core (other work on the machine may).
  const canPin = tools.taskset !== null && machine.nproc >= 2;
  const cpus = canPin ? { server: 0, load: 1 } : { server: null, load: null };
  const threads = canPin ? 1 : 2;
  const subjects = createAppSubjects().filter(
    (s) => s.missing === null && (only === null || only.includes(s.name)),
  );
  for (const s of createAppSubjects())
    if (s.missing !== null) console.log(`skipping ${s.name}: ${s.missing}`);
  const loadAtStart = load();
  console.log(
    `machine: ${machine.nproc} CPUs (${machine.cpu}), node ${machine.node}, ${machine.wrk}`,
  );
  console.log(
    `method: ${APP}, GET ${ROUTES.join(' and ')}; every route of every server warmed ${warmup}s ` +
      `first, then per pass and route each server in rotated order: ${REWARM_SECONDS}s re-warm, ` +
      `wrk -t${threads} -c${connections} -d${duration}s --latency (keep-alive); ${passes} passes, ` +
      `medians; then ${pairedPasses} paired passes (each server and @hono/node-server under wrk at once); ` +
      `${canPin ? 'servers on CPU 0, wrk on CPU 1' : 'NOT pinned (needs taskset and 2 CPUs)'}; ` +
      `load average ${loadAtStart} at start`,
  );

  /** @type {Running[]} */
  const running = [];
  /** @type {Map<string, Measured>} */
  const results = new Map();
  try {
    for (const subject of subjects) {
      const port = await pickFreePort();
      const server = launch({
        label: subject.name,
        command: process.execPath,
        args: subject.args(port),
        cpu: cpus.server,
        cwd: root,
      });
      running.push({ subject, server, port });
      await waitForPort(server, port, 30_000);
      for (const route of ROUTES) {
        const check = await fetch(`http://127.0.0.1:${port}${route}`);
        if (check.status !== 200) throw new Error(`${subject.name} ${route}: ${check.status}`);
        await check.text();
      }
    }
    /** @param {Running} r @param {string} route @param {number} seconds */
    const wrkOn = (r, route, seconds) =>
      runWrkDetailed({
        wrk,
        url: `http://127.0.0.1:${r.port}${route}`,
        threads,
        connections,
        seconds,
        cpu: cpus.load,
      });
    // Warm everything before measuring anything: no route is measured on cold code.
    if (warmup > 0)
      for (const r of running) for (const route of ROUTES) await wrkOn(r, route, warmup);
    for (let pass = 0; pass < passes; pass++) {
      const routes = pass % 2 === 0 ? ROUTES : [...ROUTES].reverse();
      for (const route of routes) {
        const order = running.map((_, i) => running[(i + pass) % running.length]);
        for (const r of order) {
          if (r === undefined) continue;
          await wrkOn(r, route, REWARM_SECONDS);
          const cpuBefore = treeCpuSeconds(r.server.pid);
          const run = await wrkOn(r, route, duration);
          const cpuUs =
            run.requests > 0
              ? ((treeCpuSeconds(r.server.pid) - cpuBefore) * 1e6) / run.requests
              : NaN;
          const key = `${r.subject.name} ${route}`;
          const entry = results.get(key) ?? { rps: [], p99: [], cpuUs: [], errors: 0 };
          entry.rps.push(run.requestsPerSecond);
          entry.p99.push(run.p99Ms ?? Number.NaN);
          entry.cpuUs.push(cpuUs);
          entry.errors += run.socketErrors + run.non2xx;
          results.set(key, entry);
          const errors = run.socketErrors + run.non2xx;
          console.log(
            `pass ${pass + 1} ${key}: ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.p99Ms} ms, ` +
              `${cpuUs.toFixed(1)} µs CPU/req${errors > 0 ? `, ${errors} errors` : ''} (load ${load()})`,
          );
        }
      }
    }
    const paired = await runPaired(running, wrkOn, pairedPasses, duration);
    const rss = new Map(
      running.map((r) => {
        const tree = processTree(r.server.pid);
        // porta: the cluster primary and its one worker; the worker (the last born) serves.
        const serving = readRss(tree[tree.length - 1] ?? r.server.pid);
        return [r.subject.name, { serving, all: tree.reduce((sum, pid) => sum + readRss(pid), 0) }];
      }),
    );
    console.log(`\nload average ${loadAtStart} at start, ${load()} at the end\n`);
    printTable(subjects, results, rss);
    printPaired(paired);
    const file = writeResultsFile(
      startedAt,
      {
        startedAt,
        loadAtStart,
        loadAtEnd: load(),
        machine,
        passes,
        duration,
        connections,
        results: Object.fromEntries(results),
        rss: Object.fromEntries(rss),
      },
      'app-',
    );
    console.log(`\nresults: ${file}`);
  } finally {
    for (const r of running) await stop(r.server);
  }
  return 0;
}

/**
 * Paired runs, the figure that holds on a busy machine: each server and @hono/node-server under
 * wrk at the same time, both on CPU 0 (two wrk on CPU 1), so whatever else runs takes from both
 * alike and the scheduler shares the core between them; the ratio of their req/s in the same
 * seconds is how many more requests one serves per CPU second.
 * @param {Running[]} running
 * @param {(r: Running, route: string, seconds: number) => ReturnType<typeof runWrkDetailed>} wrkOn
 * @param {number} passes
 * @param {number} duration
 * @returns {Promise<Map<string, number[]>>} ratios by "server route"
 */
async function runPaired(running, wrkOn, passes, duration) {
  /** @type {Map<string, number[]>} */
  const ratios = new Map();
  const base = running.find((r) => r.subject.name === '@hono/node-server');
  if (base === undefined || passes === 0) return ratios;
  if (running.length > 1) console.log('\npaired with @hono/node-server (same seconds, same CPU):');
  for (let pass = 0; pass < passes; pass++) {
    for (const route of ROUTES) {
      for (const r of running) {
        if (r === base) continue;
        const [run, baseRun] = await Promise.all([
          wrkOn(r, route, duration),
          wrkOn(base, route, duration),
        ]);
        const value = ratio(run.requestsPerSecond, baseRun.requestsPerSecond);
        if (value === null) continue;
        const key = `${r.subject.name} ${route}`;
        ratios.set(key, [...(ratios.get(key) ?? []), value]);
        console.log(
          `pass ${pass + 1} ${key}: ${run.requestsPerSecond.toFixed(0)} vs ` +
            `${baseRun.requestsPerSecond.toFixed(0)} req/s = ${value.toFixed(2)}x (load ${load()})`,
        );
      }
    }
  }
  return ratios;
}

/** @param {Map<string, number[]>} paired */
function printPaired(paired) {
  if (paired.size === 0) return;
  console.log('\n| server | route | req/s vs @hono/node-server, paired (median) | passes |');
  console.log('| --- | --- | ---: | ---: |');
  for (const [key, values] of paired) {
    const [name, route] = key.split(' ');
    console.log(
      `| ${name} | \`${route}\` | ${median(values)?.toFixed(2)}x | ${values.map((v) => v.toFixed(2)).join(', ')} |`,
    );
  }
}

/**
 * @param {import('./lib/app-subjects.mjs').AppSubject[]} subjects
 * @param {Map<string, Measured>} results
 * @param {Map<string, { serving: number, all: number }>} rss after the last run
 */
function printTable(subjects, results, rss) {
  console.log(
    '| server | route | req/s (median) | vs @hono/node-server | CPU µs/req | CPU vs @hono/node-server | p99 ms | errors | RSS MiB (serving / all) |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const route of ROUTES) {
    const base = results.get(`@hono/node-server ${route}`);
    const baseRps = median(base?.rps ?? []);
    const baseCpu = median(base?.cpuUs ?? []);
    for (const subject of subjects) {
      const entry = results.get(`${subject.name} ${route}`);
      if (entry === undefined) continue;
      const rps = median(entry.rps);
      const cpu = median(entry.cpuUs);
      const r = ratio(rps, baseRps);
      // How many times less CPU than @hono/node-server per request (higher is better, like req/s).
      const c = ratio(baseCpu, cpu);
      const memory = rss.get(subject.name) ?? { serving: 0, all: 0 };
      console.log(
        `| ${subject.name} | \`${route}\` | ${rps?.toFixed(0)} | ${r === null ? '-' : `${r.toFixed(2)}x`} | ` +
          `${cpu?.toFixed(1)} | ${c === null ? '-' : `${c.toFixed(2)}x`} | ${median(entry.p99)?.toFixed(2)} | ` +
          `${entry.errors} | ${mib(memory.serving)} / ${mib(memory.all)} |`,
      );
    }
  }
}

await runBench(
  'bench:app',
  () => readNumber('BENCH_TIMEOUT', 1200, 10),
  main,
  () => {},
);
