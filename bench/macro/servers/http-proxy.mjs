// Benchmark peer: http-proxy (npm) in front of one upstream, with a keep-alive agent: node:http + http-proxy, the Node way.
// Usage: node http-proxy.mjs <port> <upstream url>. Needs the http-proxy devDependency.
import { Agent, createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const httpProxy = require('http-proxy');

const port = Number(process.argv[2]);
const target = process.argv[3];
const proxy = httpProxy.createProxyServer({
  target,
  agent: new Agent({ keepAlive: true, maxSockets: 256 }),
  xfwd: true,
});
proxy.on('error', (_error, _req, res) => {
  res.writeHead(502).end();
});
const server = createServer((req, res) => {
  proxy.web(req, res);
});
server.keepAliveTimeout = 75_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
