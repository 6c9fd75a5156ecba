// `npm run bench`: porta vs nginx vs node:http vs raw node:net, side by side in one run, on
// loopback with wrk; medians across passes, ratios, RSS, idle keep-alive memory. See bench/README.md.
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { describeMachine } from './lib/machine.mjs';
import { writeResultsFile } from './lib/results-file.mjs';
import { runPass } from './lib/pass.mjs';
import { readSettings } from './lib/settings.mjs';
import { createServers, removeTempDirs } from './lib/servers.mjs';
import { summarize } from './lib/summary.mjs';
import { renderSummary } from './lib/table.mjs';
import { ensureTools } from './lib/tools.mjs';
import { createWorkloads } from './lib/workloads.mjs';
import { runBench } from './lib/run-bench.mjs';

/** @param {string} line */
const log = (line) => console.log(line);

async function main() {
  const startedAt = new Date();
  const settings = readSettings();
  const tools = ensureTools();
  if (tools.wrk === null) {
    console.error('bench: wrk is required; run scripts/install-bench-deps.sh as root');
    return 1;
  }
  const machine = describeMachine(tools);
  // Server on CPU 0, load generator on CPU 1, so they never compete for a core.
  const canPin = tools.taskset !== null && machine.nproc >= 2;
  const cpus = canPin ? { server: 0, load: 1 } : { server: null, load: null };

  const workloads = createWorkloads(settings.pipelineDepth).filter(
    (w) => settings.workloads === null || settings.workloads.includes(w.name),
  );
  const chosen = createServers(tools, machine).filter(
    (s) => settings.servers === null || settings.servers.includes(s.name),
  );
  const servers = chosen.filter((s) => s.missing === null);

  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, kernel ${machine.kernel}`);
  log(`tools: node ${machine.node}, ${machine.nginx}, ${machine.wrk}`);
  log(
    `method: wrk -t1 -c${settings.connections} -d${settings.duration}s after a ` +
      `${settings.warmup}s warm-up, ${settings.passes} pass(es), medians; ` +
      (canPin ? 'server on CPU 0, wrk on CPU 1' : 'NOT pinned (needs taskset and 2 CPUs)'),
  );
  const loadAtStart = loadavg()[0] ?? 0;
  if (loadAtStart > 0.5) {
    log(
      `warning: load average ${loadAtStart.toFixed(2)}: other work on this machine skews numbers`,
    );
  }
  for (const server of chosen) {
    if (server.missing !== null) log(`skipping ${server.name}: ${server.missing}`);
  }
  if (servers.length === 0 || workloads.length === 0) {
    console.error('bench: nothing to run (check BENCH_SERVERS and BENCH_WORKLOADS)');
    return 1;
  }

  /** @type {import('./lib/pass.mjs').ServerPassResult[][]} */
  const passes = [];
  for (let pass = 1; pass <= settings.passes; pass++) {
    log(`\npass ${pass}/${settings.passes}`);
    passes.push(await runPass({ servers, workloads, settings, wrk: tools.wrk, cpus, log }));
  }

  const summary = summarize(
    passes,
    servers.map((s) => s.name),
    workloads,
    settings.idleConnections,
  );
  const serverTitles = new Map(chosen.map((s) => [s.name, s.title]));
  const workloadTitles = new Map(workloads.map((w) => [w.name, w.title]));
  log(`\nmedians of ${settings.passes} pass(es):\n`);
  log(renderSummary(summary, serverTitles, workloadTitles));
  const skipped = chosen.filter((s) => s.missing !== null);
  for (const server of skipped) log(`\n${server.title}: not measured (${server.missing})`);

  const file = writeResultsFile(startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    settings,
    pinned: canPin,
    loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] ?? 0 },
    servers: chosen.map((s) => ({ name: s.name, title: s.title, skipped: s.missing })),
    workloads,
    summary,
    passes,
  });
  log(`\nresults: ${relative(process.cwd(), file)}`);
  const failures = passes.flat().filter((r) => r.errors.length > 0);
  for (const failure of failures) log(`errors (${failure.server}): ${failure.errors.join('; ')}`);
  return failures.length > 0 ? 1 : 0;
}

await runBench('bench', () => readSettings().timeout, main, removeTempDirs);
