// Slowloris load with honest clients alongside: holds N connections whose request heads never end
// (one more header line per socket every few seconds; a socket the server closes is reopened),
// then, with them all open, sends G plain GETs on fresh connections and counts the 200s.
// Prints one JSON line. Usage: node slowloris-client.mjs <port> <slow> <good> [deadline-seconds]
import { connect } from 'node:net';

const port = Number(process.argv[2]);
const slowCount = Number(process.argv[3]);
const goodCount = Number(process.argv[4]);
const deadline = Date.now() + Number(process.argv[5] ?? 120) * 1000;
const TRICKLE_MS = 5000;
const CONNECT_BATCH = 200;

/** @type {Set<import('node:net').Socket>} */
const slow = new Set();
let running = true;
let reopened = 0;
let closedByServer = 0;

/** Opens one slowloris socket; resolves once connected (or failed). */
function openSlow() {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      slow.add(socket);
      socket.write(`GET /?${slow.size} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\n`);
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => {
      if (slow.delete(socket)) closedByServer++;
      if (running && Date.now() < deadline) {
        reopened++;
        void openSlow();
      }
    });
  });
}

/** One GET on a fresh connection: true for a 200. */
function goodRequest() {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('connect', () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text.startsWith('HTTP/1.1 200')));
  });
}

const started = Date.now();
for (let i = 0; i < slowCount && Date.now() < deadline; i += CONNECT_BATCH) {
  const batch = Math.min(CONNECT_BATCH, slowCount - i);
  await Promise.all(Array.from({ length: batch }, openSlow));
}
const openMs = Date.now() - started;
const trickle = setInterval(() => {
  for (const socket of slow)
    socket.write(`X-${Math.floor(Math.random() * 1e6)}: ${Date.now()}\r\n`);
}, TRICKLE_MS);
// Let the heads age past porta's 1 s guard and the server settle its accept backlog.
await new Promise((resolve) => setTimeout(resolve, 3000));
const heldBefore = slow.size;
let served = 0;
for (let i = 0; i < goodCount && Date.now() < deadline; i += 5) {
  const results = await Promise.all(
    Array.from({ length: Math.min(5, goodCount - i) }, goodRequest),
  );
  served += results.filter(Boolean).length;
}
running = false;
clearInterval(trickle);
console.log(
  JSON.stringify({
    event: 'done',
    slowOpenMs: openMs,
    slowHeldBefore: heldBefore,
    slowHeldAfter: slow.size,
    slowClosedByServer: closedByServer,
    reopened,
    good: goodCount,
    served,
  }),
);
for (const socket of slow) socket.destroy();
process.exit(0);
