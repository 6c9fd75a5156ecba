// Benchmark subject: porta's respond handler serving "Hello, World!" on 127.0.0.1:<argv[2]>.
// BENCH_PORTA_DIST: another build's dist/index.js (the `porta-before` server: before/after in one run).
const dist =
  process.env.BENCH_PORTA_DIST ?? new URL('../../../dist/index.js', import.meta.url).href;
/** @type {typeof import('../../../dist/index.js')} */
const { start } = await import(dist);

const port = Number(process.argv[2]);

const server = await start({
  sites: [
    {
      listen: ['127.0.0.1:' + port],
      routes: [
        {
          path: '/',
          respond: {
            status: 200,
            headers: { 'content-type': 'text/plain' },
            body: 'Hello, World!',
          },
        },
      ],
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
