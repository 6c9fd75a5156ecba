// `npm run bench:static`: static files from porta, nginx, http-server, serve and a minimal node:http
// server, same files, same run: wrk on 13 B to 1 MiB (keep-alive) and 1 KiB (close) with server CPU
// per request, then a large curl download with RSS sampled. Medians, ratios, JSON. See bench/README.md.
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { describeMachine } from './lib/machine.mjs';
import { writeResultsFile } from './lib/results-file.mjs';
import { createStaticFiles, removeStaticFiles } from './lib/static-files.mjs';
import { runStaticPass } from './lib/static-pass.mjs';
import { createStaticServers, removeStaticTempDirs } from './lib/static-servers.mjs';
import { readStaticSettings } from './lib/static-settings.mjs';
import { summarizeStatic } from './lib/static-summary.mjs';
import { renderStaticSummary, renderTargets } from './lib/static-table.mjs';
import { createStaticWorkloads, downloadWorkload } from './lib/static-workloads.mjs';
import { ensureTools, findExecutable, toolVersion } from './lib/tools.mjs';
import { runBench } from './lib/run-bench.mjs';

/** @param {string} line */
const log = (line) => console.log(line);

/** Removes everything this run put on disk. */
function cleanUp() {
  removeStaticTempDirs();
  removeStaticFiles();
}

async function main() {
  const startedAt = new Date();
  const settings = readStaticSettings();
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench:static: wrk is required; run scripts/install-bench-deps.sh as root');
    return 1;
  }
  const curl = findExecutable('curl');
  const machine = describeMachine(tools);
  // Server on CPU 0, load generator (wrk, curl) on CPU 1, so they never compete for a core.
  const canPin = tools.taskset !== null && machine.nproc >= 2;
  const cpus = canPin ? { server: 0, load: 1 } : { server: null, load: null };
  const chosen = (/** @type {string} */ name) =>
    settings.workloads === null || settings.workloads.includes(name);
  const workloads = createStaticWorkloads().filter((w) => chosen(w.name));
  const download = chosen(downloadWorkload);

  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, kernel ${machine.kernel}`);
  log(
    `tools: node ${machine.node}, ${machine.nginx}, ${machine.wrk}, ` +
      `${toolVersion(curl, ['--version']).split(' ').slice(0, 2).join(' ')}`,
  );
  log(
    `method: wrk -t1 -c${settings.connections} -d${settings.duration}s after a ` +
      `${settings.warmup}s warm-up; ${settings.downloads} x ${settings.downloadMiB} MiB curl ` +
      `download(s) per server, RSS every ${settings.rssSampleMs} ms; ${settings.passes} pass(es), ` +
      `medians; ` +
      (canPin ? 'server on CPU 0, wrk and curl on CPU 1' : 'NOT pinned (needs taskset and 2 CPUs)'),
  );
  const loadAtStart = loadavg()[0] ?? 0;
  if (loadAtStart > 0.5) {
    log(
      `warning: load average ${loadAtStart.toFixed(2)}: other work on this machine skews req/s; ` +
        'server CPU per request is the steadier number',
    );
  }

  const files = createStaticFiles(settings.downloadMiB * 1048576);
  log(`files: ${files.dir} (${files.small.map((f) => f.name).join(', ')}, ${files.download.name})`);
  const all = createStaticServers({ tools, machine, files }).filter(
    (s) => settings.servers === null || settings.servers.includes(s.name),
  );
  const servers = all.filter((s) => s.missing === null);
  for (const server of all) {
    if (server.missing !== null) log(`skipping ${server.name}: ${server.missing}`);
  }
  if (download && curl === null) log('skipping the download: curl is not installed');
  if (servers.length === 0 || (workloads.length === 0 && !download)) {
    console.error('bench:static: nothing to run (check BENCH_SERVERS and BENCH_WORKLOADS)');
    return 1;
  }

  /** @type {import('./lib/static-pass.mjs').StaticServerPassResult[][]} */
  const passes = [];
  for (let pass = 1; pass <= settings.passes; pass++) {
    log(`\npass ${pass}/${settings.passes}`);
    passes.push(
      await runStaticPass({
        servers,
        workloads,
        download: download && curl !== null,
        files,
        settings,
        wrk: tools.wrk,
        curl,
        cpus,
        log,
      }),
    );
  }

  const summary = summarizeStatic(
    passes,
    servers.map((s) => s.name),
    workloads,
    download && curl !== null,
  );
  const serverTitles = new Map(all.map((s) => [s.name, s.title]));
  const workloadTitles = new Map(workloads.map((w) => [w.name, w.title]));
  log(`\nmedians of ${settings.passes} pass(es):\n`);
  log(renderStaticSummary(summary, serverTitles, workloadTitles, settings.downloadMiB));
  log(
    '\nserver CPU/req: user + system CPU of the server process tree over the measured run ' +
      '(/proc/<pid>/stat) / requests; its ratios are req per CPU-s, higher is better.',
  );
  const targets = renderTargets(summary);
  if (targets.length > 0) log(`\ntargets (issues 3 and 13):\n${targets.join('\n')}`);
  for (const server of all.filter((s) => s.missing !== null)) {
    log(`\n${server.title}: not measured (${server.missing})`);
  }

  const file = writeResultsFile(
    startedAt,
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      settings,
      pinned: canPin,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] ?? 0 },
      files: {
        small: files.small.map((f) => ({ name: f.name, size: f.size })),
        download: files.download,
      },
      servers: all.map((s) => ({ name: s.name, title: s.title, skipped: s.missing })),
      workloads,
      summary,
      passes,
    },
    'static-',
  );
  log(`\nresults: ${relative(process.cwd(), file)}`);
  const failures = passes.flat().filter((r) => r.errors.length > 0);
  for (const failure of failures) log(`errors (${failure.server}): ${failure.errors.join('; ')}`);
  return failures.length > 0 ? 1 : 0;
}

await runBench('bench:static', () => readStaticSettings().timeout, main, cleanUp);
