// `npm run bench:h2`: a 1 KiB static file over HTTP/2 with TLS (ALPN h2), porta against nginx, same
// certificate, 1 worker each, h2load -c 50 -m 10 in one run on this machine; medians and ratios.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeCpuSeconds } from './lib/cpu.mjs';
import { describeMachine } from './lib/machine.mjs';
import { tempPathDirectives } from './lib/nginx.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { PORTA_MAIN } from './lib/porta-main.mjs';
import { launch, sleep, stop, waitForPort } from './lib/processes.mjs';
import { writeResultsFile } from './lib/results-file.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median, ratio } from './lib/stats.mjs';
import { ensureTools, findExecutable } from './lib/tools.mjs';

const MAIN = PORTA_MAIN;
const LOCAL_CA = new URL('../../dist/tls/local-ca.js', import.meta.url).href;
const FILE_1K = Buffer.alloc(1024, 'porta h2 benchmark 0123456789\n');
const tempDirs = new Set();
/** @param {string} line */
const log = (line) => console.log(line);

function readH2Settings() {
  const duration = readNumber('BENCH_DURATION', 10, 1);
  const warmup = readNumber('BENCH_WARMUP', 2, 0);
  const passes = Math.round(readNumber('BENCH_PASSES', 3, 1));
  const clients = Math.round(readNumber('BENCH_CONNECTIONS', 50, 1));
  const streams = Math.round(readNumber('BENCH_STREAMS', 10, 1));
  const timeout = readNumber('BENCH_TIMEOUT', passes * 2 * (duration + warmup + 15) + 60, 10);
  return { duration, warmup, passes, clients, streams, timeout };
}

/**
 * @param {string} dir
 * @param {{ certPath: string, keyPath: string }} leaf
 * @param {number} port
 */
function portaSubject(dir, leaf, port) {
  const config = join(dir, 'porta.yaml');
  writeFileSync(
    config,
    [
      'workers: 1',
      'log: { access: "off", level: "warning" }',
      'sites:',
      `  - listen: ["127.0.0.1:${port}"]`,
      `    tls: { cert: ${JSON.stringify(leaf.certPath)}, key: ${JSON.stringify(leaf.keyPath)} }`,
      '    routes:',
      `      - static: { root: ${JSON.stringify(join(dir, 'www'))} }`,
      '',
    ].join('\n'),
  );
  return { command: process.execPath, args: [MAIN, 'run', '-c', config] };
}

/**
 * The floor: node:http2's createSecureServer answering from memory, nothing of porta's.
 * @param {string} dir
 * @param {{ certPath: string, keyPath: string }} leaf
 * @param {number} port
 */
function nodeSubject(dir, leaf, port) {
  const floor = fileURLToPath(new URL('./servers/tls-node-floor.mjs', import.meta.url));
  return {
    command: process.execPath,
    args: [floor, 'h2', String(port), join(dir, 'www'), leaf.certPath, leaf.keyPath],
  };
}

/**
 * @param {string} nginx
 * @param {string} dir
 * @param {{ certPath: string, keyPath: string }} leaf
 * @param {number} port
 */
function nginxSubject(nginx, dir, leaf, port) {
  const prefix = join(dir, 'nginx');
  mkdirSync(prefix, { recursive: true });
  const temp = tempPathDirectives(nginx).map((directive) => {
    const path = join(prefix, directive.replace('_temp_path', ''));
    mkdirSync(path, { recursive: true });
    return `  ${directive} ${path};`;
  });
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const conf = `${user}worker_processes 1;
daemon off;
master_process on;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 16384; }
http {
  access_log off;
  default_type text/plain;
  sendfile on;
  keepalive_requests 100000;
${temp.join('\n')}
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${leaf.certPath};
    ssl_certificate_key ${leaf.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    http2_max_concurrent_streams 128;
    root ${join(dir, 'www')};
  }
}
`;
  const confPath = join(prefix, 'nginx.conf');
  writeFileSync(confPath, conf);
  return { command: nginx, args: ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', confPath] };
}

/**
 * One h2load run: requests per second, failures, the negotiated protocol and cipher.
 * @param {string} h2load
 * @param {number} port
 * @param {ReturnType<typeof readH2Settings>} settings
 */
function runH2load(h2load, port, settings) {
  const result = spawnSync(
    h2load,
    [
      '-c',
      String(settings.clients),
      '-m',
      String(settings.streams),
      '-t',
      '1',
      '-D',
      String(settings.duration),
      '--warm-up-time',
      String(settings.warmup),
      `https://127.0.0.1:${port}/1k.txt`,
    ],
    { encoding: 'utf8', timeout: (settings.duration + settings.warmup + 30) * 1000 },
  );
  const out = `${result.stdout}${result.stderr}`;
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1] ?? NaN);
  const done = /requests: .* (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  return {
    rps,
    succeeded: Number(done?.[1] ?? 0),
    failed: Number(done?.[2] ?? 0) + Number(done?.[3] ?? 0),
    protocol: /Application protocol: (\S+)/.exec(out)?.[1] ?? '?',
    cipher: /Cipher: (\S+)/.exec(out)?.[1] ?? '?',
    raw: out,
  };
}

async function main() {
  const startedAt = new Date();
  const settings = readH2Settings();
  const tools = ensureTools();
  const h2load = findExecutable('h2load');
  if (tools.nginx === null || h2load === null) {
    console.error('bench:h2: nginx and h2load (nghttp2-client) are required');
    return 1;
  }
  const machine = describeMachine(tools);
  const dir = mkdtempSync(join(tmpdir(), 'porta-bench-h2-'));
  tempDirs.add(dir);
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', '1k.txt'), FILE_1K);
  const { ensureLocalCa, issueLeaf } = await import(LOCAL_CA);
  const { ca } = await ensureLocalCa(join(dir, 'ca'));
  const pair = await issueLeaf(ca, ['localhost', '127.0.0.1'], 'server');
  const leaf = { certPath: join(dir, 'leaf.pem'), keyPath: join(dir, 'leaf-key.pem') };
  writeFileSync(leaf.certPath, pair.certPem);
  writeFileSync(leaf.keyPath, pair.keyPem);
  log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.os}, kernel ${machine.kernel}`);
  log(`tools: node ${machine.node}, ${machine.nginx}, h2load ${h2load}`);
  log(
    `method: GET /1k.txt over h2 (TLS, ALPN), h2load -c${settings.clients} -m${settings.streams} ` +
      `-t1 -D${settings.duration}s after ${settings.warmup}s warm-up, 1 worker each, same ` +
      `certificate (RSA 2048 from porta's local CA), not pinned, ${settings.passes} passes, medians`,
  );
  const load = loadavg()[0] ?? 0;
  if (load > 1.5) log(`warning: load average ${load.toFixed(2)}: the machine is busy`);
  /** @type {Record<string, { rps: number[], cpuPerKReq: number[], failed: number, cipher: string, protocol: string }>} */
  const results = {};
  for (let pass = 1; pass <= settings.passes; pass++) {
    for (const name of ['porta', 'nginx', 'node:http2']) {
      const port = await pickFreePort();
      const spec =
        name === 'porta'
          ? portaSubject(dir, leaf, port)
          : name === 'nginx'
            ? nginxSubject(tools.nginx, dir, leaf, port)
            : nodeSubject(dir, leaf, port);
      const launched = launch({ label: name, command: spec.command, args: spec.args, cpu: null });
      try {
        await waitForPort(launched, port, 15_000);
        await sleep(500);
        const cpuBefore = treeCpuSeconds(launched.pid);
        const run = runH2load(h2load, port, settings);
        const cpu = treeCpuSeconds(launched.pid) - cpuBefore;
        const entry = (results[name] ??= {
          rps: [],
          cpuPerKReq: [],
          failed: 0,
          cipher: run.cipher,
          protocol: run.protocol,
        });
        if (!Number.isFinite(run.rps) || run.succeeded === 0) {
          throw new Error(`${name}: h2load gave no result:\n${run.raw}\n${launched.output()}`);
        }
        entry.rps.push(run.rps);
        // Warm-up requests are not counted by h2load but cost CPU: an upper bound per request.
        entry.cpuPerKReq.push((cpu / run.succeeded) * 1000);
        entry.failed += run.failed;
        log(
          `pass ${pass} ${name}: ${run.rps.toFixed(0)} req/s, ${run.failed} failed, ` +
            `${run.protocol} ${run.cipher}, server CPU ${cpu.toFixed(1)} s`,
        );
      } finally {
        await stop(launched);
      }
    }
  }
  const porta = results.porta;
  const nginx = results.nginx;
  const floor = results['node:http2'];
  if (porta === undefined || nginx === undefined || floor === undefined) return 1;
  const portaRps = median(porta.rps);
  const nginxRps = median(nginx.rps);
  log('');
  log('| server | req/s (median) | CPU ms per 1k req | failed | protocol, cipher |');
  log('| ------ | -------------: | ----------------: | -----: | ---------------- |');
  for (const [name, entry] of [
    ['porta', porta],
    ['nginx', nginx],
    ['node:http2 (floor)', floor],
  ]) {
    log(
      `| ${name} | ${median(entry.rps).toFixed(0)} | ${(median(entry.cpuPerKReq) * 1000).toFixed(0)} | ${entry.failed} | ${entry.protocol}, ${entry.cipher} |`,
    );
  }
  log(`\nporta / nginx: ${(ratio(portaRps, nginxRps) ?? Number.NaN).toFixed(2)}x`);
  log(`node:http2 / nginx: ${(ratio(median(floor.rps), nginxRps) ?? Number.NaN).toFixed(2)}x`);
  log(`porta / node:http2: ${(ratio(portaRps, median(floor.rps)) ?? Number.NaN).toFixed(2)}x`);
  const file = writeResultsFile(startedAt, { settings, machine, results }, 'h2-');
  log(`results: ${relative(process.cwd(), file)}`);
  return 0;
}

await runBench(
  'bench:h2',
  () => readH2Settings().timeout,
  main,
  () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  },
);
