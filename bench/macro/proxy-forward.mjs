// Proxy and forward workloads, one run, same backend (issue 4): porta proxy vs nginx proxy_pass (upstream
// keepalive) vs http-proxy vs a direct hit; porta forward vs socat vs nginx stream (MB/s and connections/s).
// Runnable on its own: `npm run build && node bench/macro/proxy-forward.mjs`. Peers: proxy-forward-peers.mjs.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToEnd, stop, stopAll } from './lib/processes.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { median } from './lib/stats.mjs';
import { runWrk } from './lib/wrk.mjs';
import {
  cpus,
  forwardCandidates,
  here,
  proxyCandidates,
  root,
  startProcess,
  tempDirs,
  tools,
  treeCpuSeconds,
} from './proxy-forward-peers.mjs';
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const settings = {
  duration: env('BENCH_DURATION', 5),
  warmup: env('BENCH_WARMUP', 1),
  passes: env('BENCH_PASSES', 2),
  connections: env('BENCH_CONNECTIONS', 50),
  transferMiB: env('BENCH_TRANSFER_MIB', 2048),
};
const log = (line) => console.log(line);

async function measureProxy(candidate) {
  const { port, launched } = await candidate.start();
  try {
    const url = `http://127.0.0.1:${port}/`;
    const workload = { name: 'keep-alive', options: [], scriptArgs: [] };
    await runWrk({
      wrk: tools.wrk,
      url,
      workload,
      seconds: settings.warmup,
      connections: settings.connections,
      cpu: cpus.load,
    });
    const before = launched === null ? 0 : treeCpuSeconds(launched.pid);
    const result = await runWrk({
      wrk: tools.wrk,
      url,
      workload,
      seconds: settings.duration,
      connections: settings.connections,
      cpu: cpus.load,
    });
    const cpu = launched === null ? Number.NaN : treeCpuSeconds(launched.pid) - before;
    return {
      rps: result.requestsPerSecond,
      p99Ms: result.p99Ms,
      errors: result.socketErrors + result.non2xx,
      cpuUsPerRequest: (cpu * 1e6) / result.requests,
    };
  } finally {
    if (launched !== null) await stop(launched);
  }
}

async function measureForward(candidate, sourcePort, httpPort) {
  const throughputRun = await candidate.start();
  let mbps;
  try {
    const run = await runToEnd({
      label: 'transfer',
      command: process.execPath,
      args: [join(here, 'forward-transfer.mjs'), String(throughputRun.port)],
      cpu: cpus.load,
      timeoutMs: 120_000,
    });
    const { bytes, seconds } = JSON.parse(run.stdout);
    if (bytes !== settings.transferMiB * 1024 * 1024)
      throw new Error(`transfer got ${bytes} bytes`);
    mbps = bytes / 1e6 / seconds;
  } finally {
    await stop(throughputRun.launched);
  }
  // Connections per second: each wrk request opens a new connection through the forwarder.
  const rateCandidate =
    candidate.name === 'porta' || candidate.name === 'socat' || candidate.name === 'nginx'
      ? candidate
      : null;
  const rateRun = await rateCandidate.startFor(httpPort);
  try {
    const url = `http://127.0.0.1:${rateRun.port}/`;
    const workload = { name: 'close', options: ['-H', 'Connection: close'], scriptArgs: [] };
    await runWrk({
      wrk: tools.wrk,
      url,
      workload,
      seconds: settings.warmup,
      connections: settings.connections,
      cpu: cpus.load,
    });
    const result = await runWrk({
      wrk: tools.wrk,
      url,
      workload,
      seconds: settings.duration,
      connections: settings.connections,
      cpu: cpus.load,
    });
    return {
      mbps,
      connectionsPerSecond: result.requestsPerSecond,
      errors: result.socketErrors + result.non2xx,
    };
  } finally {
    await stop(rateRun.launched);
  }
}

function table(title, columns, rows) {
  const lines = [
    `| ${title} | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
  ];
  for (const [name, values] of rows) lines.push(`| ${name} | ${values.join(' | ')} |`);
  return lines.join('\n');
}

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

async function main() {
  if (tools.wrk === null) {
    console.error('bench: wrk is required (scripts/install-bench-deps.sh)');
    return 1;
  }
  log(
    `method: wrk -t1 -c${settings.connections} -d${settings.duration}s, ${settings.passes} pass(es), medians; ` +
      (cpus.server === null
        ? 'not pinned'
        : 'server under test on CPU 0, backend and load on CPU 1'),
  );
  const backendPort = await pickFreePort();
  const backend = await startProcess(
    'backend',
    process.execPath,
    [join(here, 'servers/node-http.mjs'), String(backendPort)],
    backendPort,
    cpus.load,
  );
  const sourcePort = await pickFreePort();
  const source = await startProcess(
    'byte source',
    process.execPath,
    [
      join(here, 'servers/byte-source.mjs'),
      String(sourcePort),
      String(settings.transferMiB * 1024 * 1024),
    ],
    sourcePort,
    cpus.load,
  );

  const proxies = await proxyCandidates(backendPort);
  const forwards = forwardCandidates(sourcePort).map((candidate) => ({
    ...candidate,
    // The same forwarder in front of the HTTP backend, for the connection-rate run.
    startFor: (port) =>
      forwardCandidates(port)
        .find((c) => c.name === candidate.name)
        .start(),
  }));
  const proxyResults = new Map(proxies.map((p) => [p.name, []]));
  const forwardResults = new Map(forwards.map((f) => [f.name, []]));
  for (let pass = 1; pass <= settings.passes; pass++) {
    log(`\npass ${pass}/${settings.passes}`);
    for (const candidate of proxies) {
      if (candidate.missing !== null) continue;
      const result = await measureProxy(candidate);
      proxyResults.get(candidate.name).push(result);
      log(
        `  proxy ${candidate.name}: ${fmt(result.rps)} req/s, p99 ${fmt(result.p99Ms, 2)} ms, ${fmt(result.cpuUsPerRequest, 1)} us CPU/req, ${result.errors} errors`,
      );
    }
    for (const candidate of forwards) {
      if (candidate.missing !== null) continue;
      const result = await measureForward(candidate, sourcePort, backendPort);
      forwardResults.get(candidate.name).push(result);
      log(
        `  forward ${candidate.name}: ${fmt(result.mbps)} MB/s, ${fmt(result.connectionsPerSecond)} conn/s, ${result.errors} errors`,
      );
    }
  }
  await stop(backend);
  await stop(source);

  const med = (list, key) => median(list.map((r) => r[key]));
  const nginxRps = med(proxyResults.get('nginx') ?? [], 'rps');
  const httpProxyRps = med(proxyResults.get('http-proxy') ?? [], 'rps');
  const proxyRows = proxies.map((p) => {
    const list = proxyResults.get(p.name);
    if (p.missing !== null || list.length === 0)
      return [p.title, ['skipped', p.missing ?? '', '', '', '']];
    const rps = med(list, 'rps');
    return [
      p.title,
      [
        fmt(rps),
        fmt(med(list, 'p99Ms'), 2),
        fmt(med(list, 'cpuUsPerRequest'), 1),
        fmt(rps / nginxRps, 2),
        fmt(rps / httpProxyRps, 2),
      ],
    ];
  });
  const socatMbps = med(forwardResults.get('socat') ?? [], 'mbps');
  const forwardRows = forwards.map((f) => {
    const list = forwardResults.get(f.name);
    if (f.missing !== null || list.length === 0) return [f.title, ['skipped', f.missing ?? '', '']];
    const mbps = med(list, 'mbps');
    return [f.title, [fmt(mbps), fmt(mbps / socatMbps, 2), fmt(med(list, 'connectionsPerSecond'))]];
  });
  log(`\nmedians of ${settings.passes} pass(es):\n`);
  log(
    table(
      'proxy (13 B responses, keep-alive)',
      ['req/s', 'p99 ms', 'CPU us/req', 'x nginx', 'x http-proxy'],
      proxyRows,
    ),
  );
  log('');
  log(
    table(
      `forward (${settings.transferMiB} MiB transfer; Connection: close rate)`,
      ['MB/s', 'x socat', 'conn/s'],
      forwardRows,
    ),
  );
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `proxy-forward-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ settings, tools, proxy: Object.fromEntries(proxyResults), forward: Object.fromEntries(forwardResults) }, null, 2)}\n`,
  );
  log(`\nresults: ${file}`);
  return 0;
}

process.on('SIGINT', () => {
  void stopAll().finally(() => process.exit(130));
});
try {
  process.exitCode = await main();
} catch (error) {
  console.error(
    `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
} finally {
  await stopAll();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
