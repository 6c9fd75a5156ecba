// The thread side of config-thread.ts: loads and validates the request it was started with,
// posts the plain result (or the error as a FailureMessage) and returns; the thread's isolate,
// with zod, YAML and the schema in it, goes away when the main thread terminates it.
import { parentPort, workerData } from 'node:worker_threads';
import { loadRequest } from './config-source.js';
import type { ConfigRequest } from './config-request.js';
import { type WorkerMessage, failureOf } from './messages.js';

async function answer(): Promise<WorkerMessage> {
  try {
    const loaded = await loadRequest(workerData as ConfigRequest);
    return {
      type: 'porta:checked',
      config: loaded.config,
      pidFile: loaded.pidFile,
      notes: loaded.notes,
    };
  } catch (error) {
    return failureOf(error);
  }
}

void answer().then((message) => parentPort?.postMessage(message));
