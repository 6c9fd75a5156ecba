// Benchmark ceiling: raw node:net that parses nothing and writes one fixed HTTP/1.1 response per
// "\r\n\r\n" it sees (Node's upper bound for an HTTP/1.1 engine on this machine).
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const body = 'Hello, World!';
const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n';
const keepAliveReply = Buffer.from(`${head}\r\n${body}`);
const closeReply = Buffer.from(`${head}Connection: close\r\n\r\n${body}`);
const terminator = Buffer.from('\r\n\r\n');
// The only bytes it looks for besides the terminator: wrk's exact close header, checked once on a
// connection's first chunk, so the "close" workload measures the accept-and-close path too.
const closeHeader = Buffer.from('\r\nConnection: close\r\n');

/** Replies for n pipelined requests, built once per n. */
const batches = [Buffer.alloc(0)];
function repliesFor(n) {
  let batch = batches[n];
  if (batch === undefined) {
    batch = Buffer.concat(Array.from({ length: n }, () => keepAliveReply));
    batches[n] = batch;
  }
  return batch;
}

/**
 * Counts "\r\n\r\n" in chunk, given how many bytes of it the previous chunk ended with.
 * @param {Buffer} chunk
 * @param {number} carried bytes of the terminator already matched at the end of the last chunk
 * @returns {{ count: number, carried: number }}
 */
function countTerminators(chunk, carried) {
  let count = 0;
  let from = 0;
  if (carried > 0) {
    const rest = 4 - carried;
    if (chunk.length < rest) {
      // A tiny chunk that continues the terminator without finishing it.
      if (chunk.compare(terminator, carried, carried + chunk.length) === 0) {
        return { count: 0, carried: carried + chunk.length };
      }
    } else if (chunk.compare(terminator, carried, 4, 0, rest) === 0) {
      count++;
      from = rest;
    }
  }
  for (let at = chunk.indexOf(terminator, from); at !== -1; at = chunk.indexOf(terminator, from)) {
    count++;
    from = at + 4;
  }
  // How much of a terminator the chunk ends with (at most 3 bytes, after the last full match).
  let tail = 0;
  for (let k = Math.min(3, chunk.length - from); k > 0; k--) {
    if (chunk.compare(terminator, 0, k, chunk.length - k) === 0) {
      tail = k;
      break;
    }
  }
  return { count, carried: tail };
}

const server = createServer((socket) => {
  let carried = 0;
  let first = true;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    if (first) {
      first = false;
      if (chunk.indexOf(closeHeader) !== -1) {
        socket.end(closeReply);
        return;
      }
    }
    const seen = countTerminators(chunk, carried);
    carried = seen.carried;
    if (seen.count > 0) socket.write(repliesFor(seen.count));
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
