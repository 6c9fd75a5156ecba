// The child side of config-check.ts: loads and validates the request it was started with, sends the result, exits.
import { loadRequest } from './config-source.js';
import { CONFIG_CHECK_ENV, type ConfigRequest } from './config-request.js';
import { type WorkerMessage, failureOf } from './messages.js';

export async function answerConfigCheck(): Promise<void> {
  let message: WorkerMessage;
  try {
    const request = JSON.parse(process.env[CONFIG_CHECK_ENV] ?? '') as ConfigRequest;
    const loaded = await loadRequest(request);
    message = {
      type: 'porta:checked',
      config: loaded.config,
      pidFile: loaded.pidFile,
      notes: loaded.notes,
    };
  } catch (error) {
    message = failureOf(error);
  }
  // Exit once it is written: nothing else of this process is needed.
  process.send?.(message, undefined, {}, () => process.exit(0));
}
