// Benchmark ceiling: raw node:net serving the files of <root> from memory. It reads only the request
// target (the bytes between the first two spaces) and the `Connection: close` that wrk's close
// workload sends, and answers with a response built once per file: Node's upper bound for a static
// server on this machine. Usage: node static-node-net.mjs <port> <root>. GET of plain names up to 8 MiB.
import { createServer } from 'node:net';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const port = Number(process.argv[2]);
const root = process.argv[3] ?? '.';
const types = { '.txt': 'text/plain; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/** "/name" -> its keep-alive and close responses, head and body in one buffer each. */
const replies = new Map();
for (const name of readdirSync(root)) {
  const stats = statSync(join(root, name));
  // The large download file stays out: wrk's workloads ask for the small ones only.
  if (name.startsWith('.') || !stats.isFile() || stats.size > 8 * 1024 * 1024) continue;
  const body = readFileSync(join(root, name));
  const head =
    `HTTP/1.1 200 OK\r\nContent-Type: ${types[extname(name)] ?? 'application/octet-stream'}\r\n` +
    `Content-Length: ${body.length}\r\n`;
  replies.set(`/${name}`, {
    keepAlive: Buffer.concat([Buffer.from(`${head}\r\n`), body]),
    close: Buffer.concat([Buffer.from(`${head}Connection: close\r\n\r\n`), body]),
  });
}
const notFound = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
const terminator = Buffer.from('\r\n\r\n');
const closeHeader = Buffer.from('\r\nConnection: close\r\n');

const server = createServer((socket) => {
  /** Bytes of a request head not complete yet (wrk sends each head in one write; rarely used). */
  let pending = null;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    let data = pending === null ? chunk : Buffer.concat([pending, chunk]);
    pending = null;
    for (;;) {
      const end = data.indexOf(terminator);
      if (end === -1) {
        if (data.length > 0) pending = data;
        return;
      }
      const space = data.indexOf(32);
      const target = data.toString('latin1', space + 1, data.indexOf(32, space + 1));
      const reply = replies.get(target);
      const head = data.subarray(0, end + 2);
      data = data.subarray(end + 4);
      if (reply === undefined) {
        socket.write(notFound);
      } else if (head.indexOf(closeHeader) !== -1) {
        socket.end(reply.close);
        return;
      } else {
        socket.write(reply.keepAlive);
      }
    }
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
