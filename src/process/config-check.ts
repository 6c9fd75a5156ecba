// Validates a config in a short-lived child process, so a cluster primary never loads the YAML
// parser, the schema library or the handlers: it gets back the validated config as plain JSON.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { entryPoint } from '../build-layout.js';
import { CONFIG_CHECK_ENV, type ConfigRequest } from './config-request.js';
import type { LoadedRequest } from './config-source.js';
import { type WorkerMessage, errorFromFailure, isWorkerMessage } from './messages.js';

/** A check that takes longer than this has hung (the child is killed). */
const CHECK_TIMEOUT_MS = 60_000;

/** This build's command line (dist/bundle/main.js), which answers when it sees CONFIG_CHECK_ENV. */
const ENTRY = fileURLToPath(entryPoint('main'));

/** Loads and validates `request` in a child: the config and pid file, or the error it would throw here. */
export function checkInChild(request: ConfigRequest): Promise<LoadedRequest> {
  const child = fork(ENTRY, [], {
    env: { ...process.env, [CONFIG_CHECK_ENV]: JSON.stringify(request) },
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const answers: WorkerMessage[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, CHECK_TIMEOUT_MS);
    child.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) answers.push(message);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const got = answers.at(-1);
      if (got?.type === 'porta:checked')
        resolve({ config: got.config, pidFile: got.pidFile, notes: got.notes });
      else if (got?.type === 'porta:failed') reject(errorFromFailure(got));
      else
        reject(
          new Error(`the config check exited without an answer (code ${code}, signal ${signal})`),
        );
    });
  });
}
