// `npm run bench:metrics`: what counting costs on the request path. The same porta, a `respond`
// route, a 1 KiB static file, a proxy route (to a `respond` site of the same porta) and a TCP
// forward (to the `respond` site), with metrics off (no admin listener: nothing counted) and on
// (`admin:` set: every request, upstream attempt and forwarded byte counted; /metrics is not
// scraped during the run), 1 process each. Every pass starts fresh servers, both modes running at
// once, and measures them in turn on each workload (on, off, then off, on in the next pass, ...),
// each run right after a warm-up of its own; then paired: on and off under wrk in the same seconds
// on the same CPU, so load from elsewhere hits both alike. Medians over the passes. Servers on
// CPU 0, wrk on CPU 1. Besides req/s, the CPU time porta used per request (utime + stime over the
// measured run): the steadier figure on a shared machine.
// BENCH_PORTA_BEFORE=<other build>/dist/index.js runs that build too (its main.js beside), both
// modes, in the same passes: a before/after table from one run.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { treeCpuSeconds } from './lib/cpu.mjs';
import { describeMachine } from './lib/machine.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { portaMainBeside } from './lib/porta-main.mjs';
import { portaMain, startPortaRun } from './lib/reload-porta.mjs';
import { runWrkDetailed } from './lib/reload-wrk.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median, ratio } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';

/** @param {string} line */
const log = (line) => console.log(line);
const load = () => (loadavg()[0] ?? 0).toFixed(2);

/** `via`: the site's listener, or the TCP forward in front of it. */
const WORKLOADS = [
  { name: 'respond', path: '/', via: 'site' },
  { name: 'static 1 KiB', path: '/files/1k.txt', via: 'site' },
  { name: 'proxy', path: '/proxy', via: 'site' },
  { name: 'tcp forward', path: '/', via: 'forward' },
];

/**
 * @typedef {object} Subject one server of a pass
 * @property {string} build "after" (this checkout) or "before" (BENCH_PORTA_BEFORE)
 * @property {string} main its porta command (dist/bundle/main.js)
 * @property {'off' | 'on'} mode
 */

const tempDirs = new Set();

function readSettings() {
  const duration = readNumber('BENCH_DURATION', 5, 1);
  const warmup = readNumber('BENCH_WARMUP', 2, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 5, 1));
  const paired = readNumber('BENCH_PAIRED', 1, 0) > 0;
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const before = process.env.BENCH_PORTA_BEFORE ?? '';
  const builds = before === '' ? 1 : 2;
  const runs = passes * builds * (paired ? 3 : 2) * WORKLOADS.length;
  const timeout = readNumber(
    'BENCH_TIMEOUT',
    runs * (duration + warmup + 4) + passes * builds * 60 + 60,
    10,
  );
  return { duration, warmup, passes, paired, connections, before, timeout };
}

/**
 * @param {string} before BENCH_PORTA_BEFORE, or ''
 * @returns {Subject[]}
 */
function subjectsOf(before) {
  const builds = [{ build: 'after', main: portaMain }];
  if (before !== '') {
    const main = portaMainBeside(before);
    if (!existsSync(main)) throw new Error(`${main} does not exist (BENCH_PORTA_BEFORE)`);
    builds.push({ build: 'before', main });
  }
  /** @type {Subject[]} */
  const subjects = [];
  for (const { build, main } of builds) {
    for (const mode of /** @type {const} */ (['on', 'off'])) subjects.push({ build, main, mode });
  }
  return subjects;
}

/**
 * The config of one server: its own ports, the admin listener when metrics are on.
 * @param {string} root the folder holding the 1 KiB file
 * @param {'off' | 'on'} mode
 */
async function configOf(root, mode) {
  const port = await pickFreePort();
  const upstreamPort = await pickFreePort();
  const forwardPort = await pickFreePort();
  const config = {
    workers: 1,
    log: { access: 'off' },
    ...(mode === 'on' ? { admin: `127.0.0.1:${await pickFreePort()}` } : {}),
    sites: [
      {
        listen: [`127.0.0.1:${port}`],
        routes: [
          { path: '/', respond: { body: 'ok\n' } },
          { path: '/files', static: { root } },
          { path: '/proxy', proxy: { to: [`http://127.0.0.1:${upstreamPort}`] } },
        ],
      },
      // The proxy's upstream: the same process, a listener of its own.
      { listen: [`127.0.0.1:${upstreamPort}`], routes: [{ respond: { body: 'ok\n' } }] },
    ],
    streams: [{ listen: [`127.0.0.1:${forwardPort}`], forward: { to: [`127.0.0.1:${port}`] } }],
  };
  return { config, port, forwardPort };
}

/**
 * @typedef {object} Running one server of a pass
 * @property {Subject} subject
 * @property {import('./lib/reload-porta.mjs').PortaRun} porta
 * @property {number} port the site's
 * @property {number} forwardPort the TCP forward's
 */

/** Every figure of the run: req/s and CPU µs per request by "workload|build|mode", paired ratios. */
class Figures {
  /** @type {Map<string, number[]>} */
  rps = new Map();
  /** @type {Map<string, number[]>} */
  cpu = new Map();
  /** @type {Map<string, number[]>} on / off req/s in the same seconds, by "workload|build" */
  pairedRps = new Map();
  /** @type {Map<string, number[]>} off / on CPU per request in the same seconds */
  pairedCpu = new Map();
  /** @type {number[]} load average after each measured run */
  loads = [];

  /** @param {Map<string, number[]>} map @param {string} key @param {number} value */
  static push(map, key, value) {
    map.set(key, [...(map.get(key) ?? []), value]);
  }
}

/**
 * One measured wrk run against a server, after its warm-up; CPU over the measured seconds.
 * @param {object} options
 * @param {string} options.wrk
 * @param {Running} options.r
 * @param {typeof WORKLOADS[number]} options.workload
 * @param {{ connections: number, threads: number, cpu: number | null }} options.client
 * @param {number} options.seconds
 */
async function measure({ wrk, r, workload, client, seconds }) {
  const port = workload.via === 'site' ? r.port : r.forwardPort;
  const cpuBefore = treeCpuSeconds(r.porta.pid);
  const result = await runWrkDetailed({
    wrk,
    url: `http://127.0.0.1:${port}${workload.path}`,
    threads: client.threads,
    connections: client.connections,
    cpu: client.cpu,
    seconds,
  });
  if (result.non2xx > 0) throw new Error(`${workload.name}: ${result.non2xx} non-2xx`);
  const cpuUs = ((treeCpuSeconds(r.porta.pid) - cpuBefore) * 1e6) / result.requests;
  return { rps: result.requestsPerSecond, p99: result.p99Ms, cpuUs };
}

async function main() {
  const settings = readSettings();
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench:metrics: wrk is required; run scripts/install-bench-deps.sh');
    return 1;
  }
  const wrk = tools.wrk;
  const machine = describeMachine(tools);
  // Servers on CPU 0, wrk on CPU 1: they never compete for a core (other work on the machine may).
  const canPin = tools.taskset !== null && machine.nproc >= 2;
  const cpus = canPin ? { server: 0, load: 1 } : { server: null, load: null };
  const client = {
    connections: settings.connections,
    threads: canPin ? 1 : 2,
    cpu: cpus.load,
  };
  const subjects = subjectsOf(settings.before);
  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, node ${machine.node}`);
  log(
    `method: ${subjects.map((s) => `${s.build} ${s.mode}`).join(', ')}; wrk -t${client.threads} ` +
      `-c${settings.connections} -d${settings.duration}s, each after a ${settings.warmup}s ` +
      `warm-up; ${settings.passes} passes (fresh servers, order rotated)` +
      `${settings.paired ? ', each followed by on and off paired (two wrk at once)' : ''}; ` +
      `1 process, medians; ` +
      `${canPin ? 'servers on CPU 0, wrk on CPU 1' : 'NOT pinned (needs taskset and 2 CPUs)'}; ` +
      `NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS === undefined ? 'unset' : 'set'}; ` +
      `load average ${load()} at start`,
  );
  const root = mkdtempSync(join(tmpdir(), 'porta-bench-metrics-'));
  tempDirs.add(root);
  mkdirSync(join(root, 'files'));
  // Wherever the route's prefix leads (kept or stripped), the same 1 KiB file.
  writeFileSync(join(root, 'files', '1k.txt'), 'x'.repeat(1024));
  writeFileSync(join(root, '1k.txt'), 'x'.repeat(1024));
  const figures = new Figures();
  for (let pass = 0; pass < settings.passes; pass++) {
    /** @type {Running[]} */
    const running = [];
    try {
      for (const subject of subjects) {
        const dir = mkdtempSync(join(tmpdir(), 'porta-bench-metrics-run-'));
        tempDirs.add(dir);
        const { config, port, forwardPort } = await configOf(root, subject.mode);
        const porta = await startPortaRun({
          label: `porta ${subject.build} metrics ${subject.mode}`,
          dir,
          port,
          config,
          cpu: cpus.server,
          main: subject.main,
        });
        running.push({ subject, porta, port, forwardPort });
      }
      for (const workload of WORKLOADS) {
        await measureInTurn(wrk, running, workload, client, settings, pass, figures);
        if (settings.paired) await measurePaired(wrk, running, workload, client, settings, figures);
      }
    } finally {
      for (const r of running) await r.porta.stop();
    }
  }
  printSummary(figures, subjects, settings.paired);
  return 0;
}

/**
 * Each server in turn (the order rotated by pass), each run after a warm-up of its own.
 * @param {string} wrk
 * @param {Running[]} running
 * @param {typeof WORKLOADS[number]} workload
 * @param {{ connections: number, threads: number, cpu: number | null }} client
 * @param {{ duration: number, warmup: number }} settings
 * @param {number} pass
 * @param {Figures} figures
 */
async function measureInTurn(wrk, running, workload, client, settings, pass, figures) {
  // on, off, ... in one pass; off, ... on in the next: neither mode always goes first.
  const order = running.map((_, i) => running[(i + pass) % running.length]);
  for (const r of order) {
    if (r === undefined) continue;
    if (settings.warmup > 0) {
      await measure({ wrk, r, workload, client, seconds: settings.warmup });
    }
    const run = await measure({ wrk, r, workload, client, seconds: settings.duration });
    const key = `${workload.name}|${r.subject.build}|${r.subject.mode}`;
    Figures.push(figures.rps, key, run.rps);
    Figures.push(figures.cpu, key, run.cpuUs);
    const now = loadavg()[0] ?? 0;
    figures.loads.push(now);
    log(
      `  pass ${figures.rps.get(key)?.length}: ${workload.name}, ${r.subject.build}, ` +
        `metrics ${r.subject.mode}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99} ms, ` +
        `${run.cpuUs.toFixed(1)} µs CPU/request (load ${now.toFixed(2)})`,
    );
  }
}

/**
 * Each build's on and off under wrk in the same seconds, both on CPU 0 (wrk both on CPU 1): the
 * scheduler shares the CPU between them, so the cheaper one serves more, and whatever else runs
 * on the machine meanwhile slows both alike.
 * @param {string} wrk
 * @param {Running[]} running
 * @param {typeof WORKLOADS[number]} workload
 * @param {{ connections: number, threads: number, cpu: number | null }} client
 * @param {{ duration: number }} settings
 * @param {Figures} figures
 */
async function measurePaired(wrk, running, workload, client, settings, figures) {
  for (const build of new Set(running.map((r) => r.subject.build))) {
    const on = running.find((r) => r.subject.build === build && r.subject.mode === 'on');
    const off = running.find((r) => r.subject.build === build && r.subject.mode === 'off');
    if (on === undefined || off === undefined) continue;
    const [onRun, offRun] = await Promise.all([
      measure({ wrk, r: on, workload, client, seconds: settings.duration }),
      measure({ wrk, r: off, workload, client, seconds: settings.duration }),
    ]);
    const key = `${workload.name}|${build}`;
    Figures.push(figures.pairedRps, key, onRun.rps / offRun.rps);
    Figures.push(figures.pairedCpu, key, offRun.cpuUs / onRun.cpuUs);
    const now = loadavg()[0] ?? 0;
    figures.loads.push(now);
    log(
      `  paired: ${workload.name}, ${build}: on ${onRun.rps.toFixed(0)} vs off ` +
        `${offRun.rps.toFixed(0)} req/s, CPU/request ${onRun.cpuUs.toFixed(1)} vs ` +
        `${offRun.cpuUs.toFixed(1)} µs (load ${now.toFixed(2)})`,
    );
  }
}

/**
 * @param {Figures} figures
 * @param {Subject[]} subjects
 * @param {boolean} paired
 */
function printSummary(figures, subjects, paired) {
  const sortedLoads = [...figures.loads].sort((a, b) => a - b);
  log(
    `\nload average over the runs: median ${median(figures.loads)?.toFixed(2) ?? 'n/a'}, ` +
      `min ${sortedLoads[0]?.toFixed(2) ?? 'n/a'}, max ${sortedLoads.at(-1)?.toFixed(2) ?? 'n/a'}; ` +
      `${load()} at the end`,
  );
  log(
    '\n| workload | build | metrics off req/s | metrics on req/s | on / off ' +
      '| CPU µs/request off | CPU µs/request on | requests per CPU second, on / off ' +
      `${paired ? '| paired req/s, on / off | paired requests per CPU second, on / off ' : ''}|`,
  );
  log(
    `| -------- | ----- | ---: | ---: | ---: | ---: | ---: | ---: ${paired ? '| ---: | ---: ' : ''}|`,
  );
  const fixed = (/** @type {number | null} */ v, /** @type {number} */ digits) =>
    v === null ? 'n/a' : v.toFixed(digits);
  const times = (/** @type {number | null} */ v) => (v === null ? 'n/a' : `${v.toFixed(3)}x`);
  const builds = [...new Set(subjects.map((s) => s.build))];
  for (const workload of WORKLOADS) {
    for (const build of builds) {
      const of = (/** @type {Map<string, number[]>} */ map, /** @type {string} */ mode) =>
        median(map.get(`${workload.name}|${build}|${mode}`) ?? []);
      const off = of(figures.rps, 'off');
      const on = of(figures.rps, 'on');
      const cpuOff = of(figures.cpu, 'off');
      const cpuOn = of(figures.cpu, 'on');
      const pairedCells = paired
        ? `| ${times(median(figures.pairedRps.get(`${workload.name}|${build}`) ?? []))} ` +
          `| ${times(median(figures.pairedCpu.get(`${workload.name}|${build}`) ?? []))} `
        : '';
      log(
        `| ${workload.name} | ${build} | ${fixed(off, 0)} | ${fixed(on, 0)} ` +
          `| ${times(ratio(on, off))} | ${fixed(cpuOff, 1)} | ${fixed(cpuOn, 1)} ` +
          `| ${times(ratio(cpuOff, cpuOn))} ${pairedCells}|`,
      );
    }
  }
}

await runBench(
  'bench:metrics',
  () => readSettings().timeout,
  main,
  () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  },
);
