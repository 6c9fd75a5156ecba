// Preloaded with `node --import` (through NODE_OPTIONS, so every porta process gets it): appends
// the URL of every ES module the process loads to `$PORTA_TEST_MODULES_DIR/<pid>.txt`, so a test
// can see what a cluster primary, a worker or a config check child really loaded. A worker
// thread (a single process's config check) runs this preload too, with its own loader: its
// modules go to `<pid>-thread<id>.txt`, so `<pid>.txt` is what the main thread loaded.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { MessageChannel, isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.PORTA_TEST_MODULES_DIR;
if (dir !== undefined) {
  const file = `${dir}/${process.pid}${isMainThread ? '' : `-thread${threadId}`}.txt`;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => {
    appendFileSync(file, `${url}\n`);
  });
  port1.unref();
  register('./record-modules-hooks.mjs', import.meta.url, {
    data: { port: port2 },
    transferList: [port2],
  });
}
