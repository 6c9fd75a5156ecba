// Benchmark subject: porta's static handler serving <root> on 127.0.0.1:<port>, compression off.
// Usage: node static-porta.mjs <port> <root>. Needs `npm run build` (dist/index.js).
// BENCH_PORTA_DIST: another build's dist/index.js (the `porta-before` server: before/after in one run).
const dist =
  process.env.BENCH_PORTA_DIST ?? new URL('../../../dist/index.js', import.meta.url).href;
/** @type {typeof import('../../../dist/index.js')} */
const { start } = await import(dist);

const port = Number(process.argv[2]);
const root = process.argv[3] ?? '.';

const server = await start({
  sites: [
    {
      listen: ['127.0.0.1:' + port],
      // The other servers send files as they are (wrk asks for no encoding anyway).
      routes: [{ path: '/', static: { root, compress: false } }],
    },
  ],
  log: { level: 'warning', access: 'off' },
});

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  // Give stop() a moment to drain, but never outlive the runner's kill deadline.
  setTimeout(() => process.exit(0), 1500).unref();
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
