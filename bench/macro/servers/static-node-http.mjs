// Benchmark peer: a minimal node:http static server that reads each file once and then answers from
// memory. Usage: node static-node-http.mjs <port> <root>. Plain names in <root> only; no ranges, no 304s.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

const port = Number(process.argv[2]);
const root = process.argv[3] ?? '.';
const types = { '.txt': 'text/plain; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/** url path -> { body, headers }, filled on first request. */
const files = new Map();

/**
 * The file behind a URL path, read once; null when it is not a plain file name in the root.
 * @param {string} path
 */
async function load(path) {
  const known = files.get(path);
  if (known !== undefined) return known;
  const name = path.slice(1);
  if (name === '' || name.includes('/') || name.includes('\\') || name.startsWith('.')) return null;
  let body;
  try {
    body = await readFile(join(root, name));
  } catch {
    return null;
  }
  const headers = {
    'content-type': types[extname(name)] ?? 'application/octet-stream',
    'content-length': body.length,
  };
  const entry = { body, headers };
  files.set(path, entry);
  return entry;
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const known = files.get(path);
  if (known !== undefined) {
    res.writeHead(200, known.headers);
    res.end(known.body);
    return;
  }
  load(path).then((entry) => {
    if (entry === null) {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
      return;
    }
    res.writeHead(200, entry.headers);
    res.end(entry.body);
  });
});
// node:http's default of 5 s would close wrk's connections between warm-up and run; nginx uses 75 s.
server.keepAliveTimeout = 75_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
