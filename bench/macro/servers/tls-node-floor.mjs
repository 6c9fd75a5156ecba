// Benchmark floor: what Node itself costs for HTTPS and h2, with nothing of porta's in the way.
// Usage: node tls-node-floor.mjs <https|h2> <port> <root> <cert> <key>. node:https (tls.Server
// listening itself) or node:http2's createSecureServer, porta's TLS settings (suites, curves),
// files read once and answered from memory (the 100 MiB file streamed from disk).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import { join } from 'node:path';
import { INTERMEDIATE_CIPHERS, INTERMEDIATE_CURVES } from '../../../dist/net/tls-acceptor.js';

const [kind, portText, root, cert, key] = process.argv.slice(2);
const tls = {
  cert: readFileSync(cert),
  key: readFileSync(key),
  minVersion: 'TLSv1.2',
  ciphers: INTERMEDIATE_CIPHERS,
  ecdhCurve: INTERMEDIATE_CURVES,
  honorCipherOrder: false,
};
/** Small files in memory, keyed by URL path. */
const small = new Map();

/** @param {string} path */
function smallFile(path) {
  let body = small.get(path);
  if (body === undefined && !path.includes('..')) {
    const file = join(root, path);
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? Infinity) < 1 << 20) {
      body = readFileSync(file);
      small.set(path, body);
    }
  }
  return body;
}

if (kind === 'h2') {
  const server = createSecureServer({ ...tls, settings: { maxConcurrentStreams: 128 } });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const body = smallFile(String(headers[':path']));
    if (body === undefined) {
      stream.respond({ ':status': 404 }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': body.length });
    stream.end(body);
  });
  server.listen(Number(portText), '127.0.0.1');
} else {
  const server = createHttpsServer(tls, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = smallFile(path);
    if (body !== undefined) {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': body.length,
      });
      res.end(body);
      return;
    }
    const file = join(root, path);
    const size = statSync(file, { throwIfNoEntry: false })?.size;
    if (size === undefined || path.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  });
  server.listen(Number(portText), '127.0.0.1');
}
