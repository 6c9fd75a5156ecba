// Preloaded with `node --import` (through NODE_OPTIONS, so every porta process gets it): appends
// the URL of every module the process loads to `$PORTA_TEST_MODULES_DIR/<pid>.txt`, so a test can
// see what a cluster primary, a worker or a config check child really loaded. The bundle is
// CommonJS: its chunks and Node's builtins come through `require` (Module._load, wrapped here,
// builtins as `node:x`); ES modules (tsx, a user's app) through the loader hooks. A worker thread
// (a single process's config check) runs this preload too: its modules go to
// `<pid>-thread<id>.txt`, so `<pid>.txt` is what the main thread loaded.
import { appendFileSync } from 'node:fs';
import Module, { isBuiltin, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.PORTA_TEST_MODULES_DIR;
if (dir !== undefined) {
  const file = `${dir}/${process.pid}${isMainThread ? '' : `-thread${threadId}`}.txt`;
  const seen = new Set();
  const record = (url) => {
    if (seen.has(url)) return;
    seen.add(url);
    appendFileSync(file, `${url}\n`);
  };
  const { port1, port2 } = new MessageChannel();
  port1.on('message', record);
  port1.unref();
  register('./record-modules-hooks.mjs', import.meta.url, {
    data: { port: port2 },
    transferList: [port2],
  });
  const load = Module._load;
  Module._load = function recordingLoad(request, parent, isMain) {
    if (isBuiltin(request)) {
      record(request.startsWith('node:') ? request : `node:${request}`);
    } else {
      // One that does not resolve (an optional dependency) throws from Node's own load below.
      let path = null;
      try {
        path = Module._resolveFilename(request, parent, isMain);
      } catch {
        path = null;
      }
      if (path !== null) record(pathToFileURL(path).href);
    }
    return load.apply(this, arguments);
  };
}
