// Preloaded into a Node benchmark server (node --expose-gc --import memory-probe.mjs): on SIGUSR2
// it collects garbage twice and prints one JSON line with the process's memory, so a runner can
// read the live heap, not just RSS with uncollected garbage in it.
process.on('SIGUSR2', () => {
  const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    JSON.stringify({
      event: 'memory',
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    }) + '\n',
  );
});
