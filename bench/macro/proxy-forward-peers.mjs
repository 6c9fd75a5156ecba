// The peers of bench/macro/proxy-forward.mjs: how to start porta, nginx, http-proxy and socat as proxies and
// forwarders in front of one backend, pinned to the server CPU, plus the CPU-time reader.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, waitForPort } from './lib/processes.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { PORTA_MAIN, PORTA_MAIN_RELATIVE } from './lib/porta-main.mjs';
import { ensureTools, findExecutable } from './lib/tools.mjs';

// Installs wrk, nginx + stream module and socat when missing (as root), like the main suite.
ensureTools();
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const here = fileURLToPath(new URL('./', import.meta.url));
export const tools = {
  wrk: findExecutable('wrk'),
  nginx: findExecutable('nginx'),
  socat: findExecutable('socat'),
  taskset: findExecutable('taskset'),
};
const require = createRequire(import.meta.url);
let httpProxyMissing = null;
try {
  require.resolve('http-proxy');
} catch {
  httpProxyMissing = 'the http-proxy package is not installed (add it as a devDependency)';
}
const streamModule = '/usr/lib/nginx/modules/ngx_stream_module.so';
let streamMissing = null;
try {
  readFileSync(streamModule);
} catch {
  streamMissing = `nginx's stream module is missing (${streamModule}; apt-get install libnginx-mod-stream)`;
}
const portaMain = PORTA_MAIN;
let portaMissing = null;
try {
  readFileSync(portaMain);
} catch {
  portaMissing = `${PORTA_MAIN_RELATIVE} is missing: run npm run build`;
}

// Two CPUs: the server under test on CPU 0; backend and load generator share CPU 1.
export const cpus = tools.taskset === null ? { server: null, load: null } : { server: 0, load: 1 };
export const tempDirs = [];

/** An nginx prefix with `body` as its config (1 worker, access log off). */
function nginxCommand(body, modules = '') {
  const dir = mkdtempSync(join(tmpdir(), 'porta-bench-nginx-'));
  tempDirs.push(dir);
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const conf = `${modules}${user}worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 16384; }
${body}
`;
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, conf);
  return { command: tools.nginx, args: ['-p', dir, '-e', join(dir, 'error.log'), '-c', path] };
}

function httpTemps(dir) {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
    .join('\n');
}

/** Server CPU of a process tree (nginx's workers too), shared with the other suites. */
export { treeCpuSeconds } from './lib/cpu.mjs';

export async function startProcess(label, command, args, port, cpu) {
  const launched = launch({ label, command, args, cpu, cwd: root });
  await waitForPort(launched, port, 10_000);
  return launched;
}

// ---- proxy ----

export async function proxyCandidates(backendPort) {
  const list = [
    {
      name: 'direct',
      title: 'direct to the backend',
      missing: null,
      start: async () => ({ port: backendPort, launched: null }),
    },
    {
      name: 'porta',
      title: 'porta proxy',
      missing: portaMissing,
      start: async () => {
        const port = await pickFreePort();
        const args = [
          portaMain,
          'proxy',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--to',
          `http://127.0.0.1:${backendPort}`,
          '--access-log',
          'off',
          '--log-level',
          'warning',
        ];
        return {
          port,
          launched: await startProcess('porta proxy', process.execPath, args, port, cpus.server),
        };
      },
    },
    {
      name: 'nginx',
      title: 'nginx proxy_pass, keepalive 64, forwarding headers',
      missing: tools.nginx === null ? 'nginx not installed' : null,
      start: async () => {
        const port = await pickFreePort();
        const placeholder = nginxCommand('');
        const dir = placeholder.args[1];
        const { command, args } = nginxCommand(`http {
  access_log off;
${httpTemps(dir)}
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # What porta sends by default, so the backend parses the same fields from both.
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header Forwarded "for=$remote_addr;host=$host;proto=$scheme";
      proxy_set_header Via "1.1 nginx";
    }
  }
}`);
        return {
          port,
          launched: await startProcess('nginx proxy', command, args, port, cpus.server),
        };
      },
    },
    {
      name: 'http-proxy',
      title: 'http-proxy (npm), keep-alive agent',
      missing: httpProxyMissing,
      start: async () => {
        const port = await pickFreePort();
        const args = [
          join(here, 'servers/http-proxy.mjs'),
          String(port),
          `http://127.0.0.1:${backendPort}`,
        ];
        return {
          port,
          launched: await startProcess('http-proxy', process.execPath, args, port, cpus.server),
        };
      },
    },
  ];
  return list;
}

// ---- forward ----

export function forwardCandidates(targetPort) {
  return [
    {
      name: 'porta',
      title: 'porta forward',
      missing: portaMissing,
      start: async () => {
        const port = await pickFreePort();
        const args = [
          portaMain,
          'forward',
          `127.0.0.1:${port}:127.0.0.1:${targetPort}`,
          '--quiet',
          '--log-level',
          'warning',
        ];
        return {
          port,
          launched: await startProcess('porta forward', process.execPath, args, port, cpus.server),
        };
      },
    },
    {
      name: 'socat',
      title: 'socat (fork per connection)',
      missing: tools.socat === null ? 'socat not installed (apt-get install socat)' : null,
      start: async () => {
        const port = await pickFreePort();
        const args = [
          `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`,
          `TCP:127.0.0.1:${targetPort}`,
        ];
        return {
          port,
          launched: await startProcess('socat', tools.socat, args, port, cpus.server),
        };
      },
    },
    {
      name: 'nginx',
      title: 'nginx stream',
      missing: tools.nginx === null ? 'nginx not installed' : streamMissing,
      start: async () => {
        const port = await pickFreePort();
        const { command, args } = nginxCommand(
          `stream { server { listen 127.0.0.1:${port}; proxy_pass 127.0.0.1:${targetPort}; } }`,
          `load_module ${streamModule};\n`,
        );
        return {
          port,
          launched: await startProcess('nginx stream', command, args, port, cpus.server),
        };
      },
    },
  ];
}

/** MB/s of one large transfer (target -> forwarder -> client), and connections/s via wrk with Connection: close. */
