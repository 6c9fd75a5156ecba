// Benchmark peer: a minimal node:http hello world (13-byte text/plain body) on 127.0.0.1:<argv[2]>.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const body = 'Hello, World!';
// Without a length node:http answers with chunked framing once writeHead has run.
const headers = { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) };

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
// Node closes idle keep-alive sockets after 5 s by default; the idle-connections measurement holds
// 10k sockets for longer, so use nginx's 75 s like the other servers do.
server.keepAliveTimeout = 75_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
