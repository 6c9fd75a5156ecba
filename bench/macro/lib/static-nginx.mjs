// Writes a throwaway nginx config serving a folder (N workers, default 1; sendfile on unless
// asked off, open_file_cache on, access log off) into its own temp prefix; never reads /etc/nginx.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempPathDirectives } from './nginx.mjs';

/**
 * Writes nginx.conf into dir and returns the command line that runs it in the foreground.
 * @param {object} options
 * @param {string} options.nginx binary
 * @param {string} options.dir an empty temp directory owned by us
 * @param {number} options.port
 * @param {string} options.root the folder served
 * @param {number} [options.workers] worker_processes (default 1)
 * @param {boolean} [options.sendfile] false: nginx reads and writes the file as Node must (default true)
 * @returns {{ command: string, args: string[], confPath: string }}
 */
export function writeStaticNginxConfig({ nginx, dir, port, root, workers = 1, sendfile = true }) {
  const temp = tempPathDirectives(nginx).map((directive) => {
    const path = join(dir, directive.replace('_temp_path', ''));
    mkdirSync(path, { recursive: true });
    return `  ${directive} ${path};`;
  });
  // As root, nginx would hand its worker to `nobody`, who cannot read our temp folder.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const conf = `${user}worker_processes ${workers};
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {
  worker_connections 16384;
}
http {
  access_log off;
  types {
    text/plain txt;
    application/octet-stream bin;
  }
  default_type application/octet-stream;
  charset utf-8;
  sendfile ${sendfile ? 'on' : 'off'};
  open_file_cache max=1000 inactive=60s;
  keepalive_requests 100000;
  keepalive_timeout 75s;
${temp.join('\n')}
  server {
    listen 127.0.0.1:${port};
    server_name _;
    root ${root};
    location / {
    }
  }
}
`;
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  return {
    command: nginx,
    args: ['-p', dir, '-e', join(dir, 'error.log'), '-c', confPath],
    confPath,
  };
}
