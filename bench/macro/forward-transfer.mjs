// Benchmark client: connects to 127.0.0.1:<port>, reads until the server closes, prints bytes and seconds as JSON.
import { connect } from 'node:net';

const port = Number(process.argv[2]);
const started = process.hrtime.bigint();
let bytes = 0;
const socket = connect(port, '127.0.0.1');
socket.on('data', (chunk) => {
  bytes += chunk.length;
});
socket.on('error', (error) => {
  console.error(error.message);
  process.exit(1);
});
socket.on('close', () => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ bytes, seconds }));
});
