// Writes a throwaway nginx config (1 worker, access log off, return 200 "Hello, World!") into its
// own temp prefix, so the benchmark never reads or touches /etc/nginx or a running system nginx.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `X_temp_path` directives this nginx build knows (nginx-light may leave modules out);
 * each must point into the prefix, or nginx tries to create /var/lib/nginx/* at start.
 * @param {string} nginx binary
 * @returns {string[]}
 */
export function tempPathDirectives(nginx) {
  // nginx -V prints its configure arguments on stderr.
  const result = spawnSync(nginx, ['-V'], { encoding: 'utf8' });
  const built = `${result.stdout}${result.stderr}`;
  const directives = ['client_body_temp_path'];
  for (const module of ['proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    if (!built.includes(`--without-http_${module}_module`)) directives.push(`${module}_temp_path`);
  }
  return directives;
}

/**
 * Writes nginx.conf into dir and returns the command line that runs it in the foreground.
 * @param {object} options
 * @param {string} options.nginx binary
 * @param {string} options.dir an empty temp directory owned by us
 * @param {number} options.port
 * @param {number} [options.workerConnections] nginx's per-worker connection cap
 * @returns {{ command: string, args: string[] }}
 */
export function writeNginxConfig({ nginx, dir, port, workerConnections = 16384 }) {
  const temp = tempPathDirectives(nginx).map((directive) => {
    const path = join(dir, directive.replace('_temp_path', ''));
    mkdirSync(path, { recursive: true });
    return `  ${directive} ${path};`;
  });
  // As root, nginx would hand its worker to `nobody`; run the worker as whoever runs the bench.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const conf = `${user}worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {
  worker_connections ${workerConnections};
}
http {
  access_log off;
  default_type text/plain;
  sendfile on;
  keepalive_requests 100000;
  keepalive_timeout 75s;
${temp.join('\n')}
  server {
    listen 127.0.0.1:${port};
    server_name _;
    location / {
      return 200 "Hello, World!";
    }
  }
}
`;
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  return { command: nginx, args: ['-p', dir, '-e', join(dir, 'error.log'), '-c', confPath] };
}
