// Benchmark peer: on each TCP connection, writes <bytes> bytes (with backpressure) and closes. Usage: byte-source.mjs <port> <bytes>.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const total = Number(process.argv[3]);
const block = Buffer.alloc(256 * 1024, 0x5a);

createServer((socket) => {
  socket.on('error', () => {});
  let left = total;
  const pump = () => {
    while (left > 0) {
      const piece = left >= block.length ? block : block.subarray(0, left);
      left -= piece.length;
      if (!socket.write(piece)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
