// `npm run bench:tls`: HTTPS from porta and nginx, 1 worker each, same certificate and suites:
// wrk 1 KiB keep-alive, wrk with `Connection: close` (a full handshake per request: wrk does not
// resume sessions), and a 100 MiB curl download. Passes interleave the servers; medians. See bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeCpuSeconds } from './lib/cpu.mjs';
import { tempPathDirectives } from './lib/nginx.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { launch, runToEnd, stop, waitForPort } from './lib/processes.mjs';
import { portaMain } from './lib/reload-porta.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median } from './lib/stats.mjs';
import { markdownTable } from './lib/table.mjs';
import { ensureTools, findExecutable } from './lib/tools.mjs';
import { parseWrkOutput } from './lib/wrk-output.mjs';

const log = (/** @type {string} */ line) => console.log(line);
const dir = mkdtempSync(join(tmpdir(), 'porta-bench-tls-'));

/** Mozilla intermediate, as porta's src/net/tls-acceptor.ts sets it. */
const CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:' +
  'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:' +
  'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305';

function settings() {
  return {
    passes: readNumber('BENCH_PASSES', 3, 1),
    seconds: readNumber('BENCH_DURATION', 8, 1),
    connections: readNumber('BENCH_CONNECTIONS', 50, 1),
    downloadMiB: readNumber('BENCH_DOWNLOAD_MIB', 100, 1),
    timeout: readNumber('BENCH_TIMEOUT', 1800, 60),
  };
}

/** A certificate from porta's own local CA code (RSA 2048), shared by both servers. */
async function makeCertificate() {
  const { ensureLocalCa, issueLeaf } = await import('../../dist/tls/local-ca.js');
  const { ca } = await ensureLocalCa(join(dir, 'ca'));
  const pair = await issueLeaf(ca, ['localhost', '127.0.0.1']);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, pair.certPem);
  writeFileSync(key, pair.keyPem, { mode: 0o600 });
  return { cert, key };
}

function makeFiles(downloadMiB) {
  const root = join(dir, 'www');
  mkdirSync(root);
  writeFileSync(join(root, '1k.bin'), Buffer.alloc(1024, 97));
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(downloadMiB * 1048576, 98));
  return root;
}

function nginxServer(nginx, port, root, tls) {
  const prefix = join(dir, 'nginx');
  mkdirSync(prefix);
  const temp = tempPathDirectives(nginx).map((directive) => {
    const path = join(prefix, directive.replace('_temp_path', ''));
    mkdirSync(path, { recursive: true });
    return `  ${directive} ${path};`;
  });
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `${user}worker_processes 1;
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 16384; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  open_file_cache max=1000 inactive=60s;
  keepalive_requests 100000;
  keepalive_timeout 75s;
${temp.join('\n')}
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls.cert};
    ssl_certificate_key ${tls.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ${CIPHERS};
    ssl_prefer_server_ciphers off;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_session_tickets on;
    root ${root};
  }
}
`,
  );
  return { command: nginx, args: ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', conf] };
}

function portaServer(port, root, tls) {
  const conf = join(dir, 'porta.yaml');
  writeFileSync(
    conf,
    `workers: 1
log: { access: off, level: warning }
sites:
  - listen: ["127.0.0.1:${port}"]
    tls: { cert: ${tls.cert}, key: ${tls.key} }
    routes: [{ static: { root: ${root}, compress: false } }]
`,
  );
  return { command: process.execPath, args: [portaMain, 'run', '-c', conf] };
}

/** The floor: node:https with porta's suites and curves, nothing of porta's (what Node costs). */
function nodeServer(port, root, tls) {
  const floor = fileURLToPath(new URL('./servers/tls-node-floor.mjs', import.meta.url));
  return {
    command: process.execPath,
    args: [floor, 'https', String(port), root, tls.cert, tls.key],
  };
}

async function wrk(tools, url, s, extra) {
  const result = await runToEnd({
    label: 'wrk',
    command: tools.wrk,
    args: ['-t1', `-c${s.connections}`, `-d${s.seconds}s`, '--latency', ...extra, url],
    cpu: 1,
    timeoutMs: s.seconds * 1000 + 30_000,
  });
  if (result.code !== 0) throw new Error(`wrk exited ${result.code}: ${result.stderr}`);
  return parseWrkOutput(result.stdout);
}

/** Runs the three workloads against one started server; CPU is the server's user+system time. */
async function measure(tools, curl, server, url, s) {
  const out = {};
  for (const [name, extra] of [
    ['keepalive', []],
    ['handshake', ['-H', 'Connection: close']],
  ]) {
    await wrk(tools, `${url}/1k.bin`, { ...s, seconds: 2 }, extra); // warm-up
    const before = treeCpuSeconds(server.pid);
    const result = await wrk(tools, `${url}/1k.bin`, s, extra);
    const cpu = treeCpuSeconds(server.pid) - before;
    out[name] = {
      rps: result.requestsPerSecond,
      cpuUsPerRequest: result.requests > 0 ? (cpu / result.requests) * 1e6 : null,
      errors: result.socketErrors + result.non2xx,
    };
  }
  const started = process.hrtime.bigint();
  const before = treeCpuSeconds(server.pid);
  const got = await runToEnd({
    label: 'curl',
    command: curl,
    args: ['-sk', '-o', '/dev/null', '-w', '%{size_download}', `${url}/big.bin`],
    cpu: 1,
    timeoutMs: 120_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  out.download = {
    seconds,
    mibPerSecond: Number(got.stdout) / 1048576 / seconds,
    cpuSeconds: treeCpuSeconds(server.pid) - before,
  };
  return out;
}

async function main() {
  const s = settings();
  const tools = ensureTools();
  const curl = findExecutable('curl');
  if (tools.wrk === null || tools.nginx === null || curl === null) {
    console.error('bench:tls: needs wrk, nginx and curl (scripts/install-bench-deps.sh)');
    return 1;
  }
  const tls = await makeCertificate();
  const root = makeFiles(s.downloadMiB);
  const load = loadavg()[0] ?? 0;
  log(
    `method: ${s.passes} interleaved passes (porta, nginx, node:https floor, porta, ...); wrk -t1 -c${s.connections} ` +
      `-d${s.seconds}s after 2 s warm-up; server on CPU 0, wrk/curl on CPU 1; load average ${load.toFixed(2)}`,
  );
  const names = ['porta', 'nginx', 'node'];
  const results = { porta: [], nginx: [], node: [] };
  for (let pass = 1; pass <= s.passes; pass++) {
    for (const name of names) {
      const port = await pickFreePort();
      const spec =
        name === 'porta'
          ? portaServer(port, root, tls)
          : name === 'node'
            ? nodeServer(port, root, tls)
            : nginxServer(tools.nginx, port, root, tls);
      if (name === 'nginx') rmSync(join(dir, 'nginx', 'nginx.pid'), { force: true });
      const server = launch({ label: name, ...spec, cpu: 0 });
      try {
        await waitForPort(server, port, 20_000);
        const r = await measure(tools, curl, server, `https://127.0.0.1:${port}`, s);
        results[name].push(r);
        log(
          `pass ${pass} ${name}: keep-alive ${r.keepalive.rps.toFixed(0)} req/s, handshakes ` +
            `${r.handshake.rps.toFixed(0)}/s, download ${r.download.mibPerSecond.toFixed(0)} MiB/s`,
        );
      } finally {
        await stop(server);
        if (name === 'nginx') rmSync(join(dir, 'nginx'), { recursive: true, force: true });
      }
    }
  }
  const med = (name, pick) => median(results[name].map(pick).filter((v) => v !== null));
  const rows = [
    ['HTTPS 1 KiB keep-alive, req/s', (r) => r.keepalive.rps, 0],
    ['  server CPU µs/req', (r) => r.keepalive.cpuUsPerRequest, 1],
    ['full handshakes/s (Connection: close)', (r) => r.handshake.rps, 0],
    ['  server CPU µs/handshake', (r) => r.handshake.cpuUsPerRequest, 0],
    [`${s.downloadMiB} MiB download, MiB/s`, (r) => r.download.mibPerSecond, 0],
    ['  server CPU s/download', (r) => r.download.cpuSeconds, 2],
  ].map(([title, pick, digits]) => {
    const p = med('porta', pick);
    const n = med('nginx', pick);
    const f = med('node', pick);
    return [
      title,
      p.toFixed(digits),
      n.toFixed(digits),
      f.toFixed(digits),
      (p / n).toFixed(2),
      (f / n).toFixed(2),
    ];
  });
  log(`\nmedians of ${s.passes} passes:\n`);
  log(
    markdownTable(
      ['workload', 'porta', 'nginx', 'node:https', 'porta/nginx', 'node:https/nginx'],
      rows,
      [false, true, true, true, true, true],
    ),
  );
  const errors = [...results.porta, ...results.nginx, ...results.node].reduce(
    (sum, r) => sum + r.keepalive.errors + r.handshake.errors,
    0,
  );
  if (errors > 0) log(`\nsocket errors or non-2xx: ${errors}`);
  return 0;
}

await runBench(
  'bench:tls',
  () => settings().timeout,
  main,
  () => {
    rmSync(dir, { recursive: true, force: true });
  },
);
