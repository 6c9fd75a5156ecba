// Idle keep-alive client: opens N connections to 127.0.0.1:<port> in bounded batches, sends one
// GET on each and reads the reply, then holds them idle. Prints one JSON line when ready; on a
// "report" line from stdin prints how many the server still keeps open; exits on stdin end/SIGTERM.
// Usage: node idle-conns.mjs <port> <count> [concurrency] [deadline-seconds]
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const concurrency = Number(process.argv[4] ?? 200);
const deadline = Date.now() + Number(process.argv[5] ?? 60) * 1000;
const request = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
// Every server in the suite answers "Hello, World!"; the reply is complete when it arrives.
const replyEnd = 'Hello, World!';

/** @type {Set<import('node:net').Socket>} */
const held = new Set();
let failed = 0;
let closedByServer = 0;

/**
 * Opens one connection and completes one request on it; true when it is now held idle.
 * @returns {Promise<boolean>}
 */
function openOne() {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let done = false;
    /** @param {boolean} ok */
    const finish = (ok) => {
      if (done) return;
      done = true;
      if (ok) {
        socket.setTimeout(0);
        held.add(socket);
      } else {
        socket.destroy();
      }
      resolve(ok);
    };
    socket.setTimeout(10_000);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      if (done) return; // nothing else should come on an idle connection
      received += chunk.toString('latin1');
      if (received.endsWith(replyEnd)) finish(true);
    });
    socket.on('timeout', () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('close', () => {
      if (held.delete(socket)) closedByServer++;
      finish(false);
    });
  });
}

const started = Date.now();
let next = 0;
async function opener() {
  while (next < count && Date.now() < deadline) {
    next++;
    if (!(await openOne())) failed++;
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, opener));
const ms = Date.now() - started;
console.log(JSON.stringify({ event: 'ready', held: held.size, failed, ms }));

function closeAll() {
  for (const socket of held) socket.destroy();
  process.exit(0);
}
process.on('SIGTERM', closeAll);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'report') {
    console.log(JSON.stringify({ event: 'report', held: held.size, closedByServer }));
  }
});
lines.on('close', closeAll);
