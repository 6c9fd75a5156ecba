// Validates a single process's config in a worker thread: the YAML parser, zod and the schema
// load in the thread's own isolate, which is terminated once it has answered, so the process
// that serves keeps only the plain validated config (loaded modules cannot be unloaded otherwise).
import { Worker } from 'node:worker_threads';
import { entryPoint } from '../build-layout.js';
import type { ConfigRequest } from './config-request.js';
import type { LoadedRequest } from './config-source.js';
import { errorFromFailure, isWorkerMessage } from './messages.js';

/** Loads and validates `request` in a thread: the config and pid file, or the error it would throw here. */
export function checkInThread(request: ConfigRequest): Promise<LoadedRequest> {
  const thread = new Worker(entryPoint('config-thread-main'), {
    workerData: request,
  });
  return new Promise<LoadedRequest>((resolve, reject) => {
    let answered = false;
    thread.once('message', (message: unknown) => {
      answered = true;
      if (isWorkerMessage(message) && message.type === 'porta:checked')
        resolve({ config: message.config, pidFile: message.pidFile, notes: message.notes });
      else if (isWorkerMessage(message) && message.type === 'porta:failed')
        reject(errorFromFailure(message));
      else reject(new Error('the config check thread sent an unknown answer'));
      // Its heap and compiled code go with it: nothing of the config stack stays.
      void thread.terminate();
    });
    thread.once('error', (error) => {
      if (!answered) reject(error);
    });
    thread.once('exit', (code) => {
      if (!answered)
        reject(new Error(`the config check thread exited without an answer (code ${code})`));
    });
  });
}
