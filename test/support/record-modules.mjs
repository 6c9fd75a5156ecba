// Preloaded with `node --import` (through NODE_OPTIONS, so every porta process gets it): appends
// the URL of every ES module the process loads to `$PORTA_TEST_MODULES_DIR/<pid>.txt`, so a test
// can see what a cluster primary, a worker or a config check child really loaded.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const dir = process.env.PORTA_TEST_MODULES_DIR;
if (dir !== undefined) {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => {
    appendFileSync(`${dir}/${process.pid}.txt`, `${url}\n`);
  });
  port1.unref();
  register('./record-modules-hooks.mjs', import.meta.url, {
    data: { port: port2 },
    transferList: [port2],
  });
}
