// `npm run bench:metrics`: what counting costs on the request path. The same porta, a `respond`
// route, a 1 KiB static file, a proxy route (to a `respond` site of the same porta) and a TCP
// forward (to the `respond` site), with metrics off (no admin listener: nothing counted) and on
// (`admin:` set: every request, upstream attempt and forwarded byte counted; /metrics is not
// scraped during the run), side by side in each pass, 1 process; wrk on loopback, medians. Besides
// req/s (which swings with the machine's load), the CPU time porta used per request (utime +
// stime of its processes over the measured run): the steadier figure on a shared machine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { treeCpuSeconds } from './lib/cpu.mjs';
import { describeMachine } from './lib/machine.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { startPortaRun } from './lib/reload-porta.mjs';
import { runWrkDetailed } from './lib/reload-wrk.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';

/** @param {string} line */
const log = (line) => console.log(line);

/** `via`: the site's listener, or the TCP forward in front of it. */
const WORKLOADS = [
  { name: 'respond', path: '/', via: 'site' },
  { name: 'static 1 KiB', path: '/files/1k.txt', via: 'site' },
  { name: 'proxy', path: '/proxy', via: 'site' },
  { name: 'tcp forward', path: '/', via: 'forward' },
];
const MODES = ['off', 'on'];

const tempDirs = new Set();

function readSettings() {
  const duration = readNumber('BENCH_DURATION', 6, 1);
  const warmup = readNumber('BENCH_WARMUP', 2, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 3, 1));
  const connections = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const runs = passes * MODES.length * WORKLOADS.length;
  const timeout = readNumber('BENCH_TIMEOUT', runs * (duration + warmup + 8) + 60, 10);
  return { duration, warmup, passes, connections, timeout };
}

async function main() {
  const settings = readSettings();
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench:metrics: wrk is required; run scripts/install-bench-deps.sh');
    return 1;
  }
  const machine = describeMachine(tools);
  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, node ${machine.node}`);
  log(
    `method: wrk -t2 -c${settings.connections} -d${settings.duration}s after a ` +
      `${settings.warmup}s warm-up, ${settings.passes} pass(es) of off/on side by side, 1 process, ` +
      `medians; load average at start ${(loadavg()[0] ?? 0).toFixed(2)}`,
  );
  const root = mkdtempSync(join(tmpdir(), 'porta-bench-metrics-'));
  tempDirs.add(root);
  mkdirSync(join(root, 'files'));
  // Wherever the route's prefix leads (kept or stripped), the same 1 KiB file.
  writeFileSync(join(root, 'files', '1k.txt'), 'x'.repeat(1024));
  writeFileSync(join(root, '1k.txt'), 'x'.repeat(1024));
  /** @type {Map<string, number[]>} */
  const results = new Map();
  /** @type {Map<string, number[]>} CPU microseconds per request */
  const cpu = new Map();
  for (let pass = 1; pass <= settings.passes; pass++) {
    for (const mode of MODES) {
      const dir = mkdtempSync(join(tmpdir(), 'porta-bench-metrics-run-'));
      tempDirs.add(dir);
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
      const porta = await startPortaRun({ label: `porta metrics ${mode}`, dir, port, config });
      try {
        for (const workload of WORKLOADS) {
          const load = {
            wrk: tools.wrk,
            url: `http://127.0.0.1:${workload.via === 'site' ? port : forwardPort}${workload.path}`,
            threads: 2,
            connections: settings.connections,
          };
          if (settings.warmup > 0) await runWrkDetailed({ ...load, seconds: settings.warmup });
          const cpuBefore = treeCpuSeconds(porta.pid);
          const result = await runWrkDetailed({ ...load, seconds: settings.duration });
          const cpuUs = ((treeCpuSeconds(porta.pid) - cpuBefore) * 1e6) / result.requests;
          if (result.non2xx > 0) throw new Error(`${workload.name}: ${result.non2xx} non-2xx`);
          const key = `${workload.name}|${mode}`;
          results.set(key, [...(results.get(key) ?? []), result.requestsPerSecond]);
          cpu.set(key, [...(cpu.get(key) ?? []), cpuUs]);
          log(
            `  pass ${pass}: ${workload.name}, metrics ${mode}: ` +
              `${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms} ms, ` +
              `${cpuUs.toFixed(1)} µs CPU/request`,
          );
        }
      } finally {
        await porta.stop();
      }
    }
  }
  log(
    '\n| workload | metrics off req/s | metrics on req/s | on / off ' +
      '| CPU µs/request off | CPU µs/request on | requests per CPU second, on / off |',
  );
  log('| -------- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const fixed = (/** @type {number | null} */ v, /** @type {number} */ digits) =>
    v === null ? 'n/a' : v.toFixed(digits);
  for (const workload of WORKLOADS) {
    const off = median(results.get(`${workload.name}|off`) ?? []);
    const on = median(results.get(`${workload.name}|on`) ?? []);
    const ratio = off === null || on === null ? 'n/a' : `${(on / off).toFixed(3)}x`;
    const cpuOff = median(cpu.get(`${workload.name}|off`) ?? []);
    const cpuOn = median(cpu.get(`${workload.name}|on`) ?? []);
    const cpuRatio = cpuOff === null || cpuOn === null ? 'n/a' : `${(cpuOff / cpuOn).toFixed(3)}x`;
    log(
      `| ${workload.name} | ${fixed(off, 0)} | ${fixed(on, 0)} | ${ratio} ` +
        `| ${fixed(cpuOff, 1)} | ${fixed(cpuOn, 1)} | ${cpuRatio} |`,
    );
  }
  return 0;
}

await runBench(
  'bench:metrics',
  () => readSettings().timeout,
  main,
  () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  },
);
