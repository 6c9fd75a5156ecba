// A running server's life as a process: SIGHUP reloads (its outcome written for `porta reload`),
// SIGUSR1 reopens the log files, SIGINT/SIGTERM stop gracefully, and every way out logs "Stopped" and removes the pid file.
import { isPortaError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { releaseSighup } from './early-sighup.js';

/** What one process or a cluster offers the signal handlers. */
export interface ServerTarget {
  /** Loads the config again (from where it came) and swaps it in, or throws and keeps the old one. */
  reload(): Promise<void>;
  /** Reopens the log files this process and its workers write (SIGUSR1). */
  reopenLogs(): void;
  stop(): Promise<void>;
}

export interface SignalOptions {
  readonly logger: Logger;
  /** Whether there is a config file to read again on SIGHUP; without one SIGHUP is ignored. */
  readonly reloadable: boolean;
  /** Written once the handlers are in place; the reload status goes beside it. */
  readonly pidFile?: string | undefined;
  /** A graceful stop still running this long after the signal ends with exit code 1. */
  readonly stopDeadlineMs: number;
}

/** The pid file and the reload status beside it: loaded only for a server that writes them. */
interface ProcessFiles {
  readonly pidFile: string;
  readonly statusFile: string;
  readonly pid: typeof import('./pid-file.js');
  readonly status: typeof import('./reload-status.js');
}

async function loadProcessFiles(pidFile: string | undefined): Promise<ProcessFiles | null> {
  if (pidFile === undefined) return null;
  const [pid, status] = await Promise.all([import('./pid-file.js'), import('./reload-status.js')]);
  return { pidFile, statusFile: status.reloadStatusPath(pidFile), pid, status };
}

export async function handleSignals(target: ServerTarget, options: SignalOptions): Promise<void> {
  const { logger } = options;
  const files = await loadProcessFiles(options.pidFile);
  const removeFiles = (): void => {
    if (files === null) return;
    files.pid.removePidFile(files.pidFile, process.pid);
    files.status.removeReloadStatus(files.statusFile, process.pid);
  };
  // Whatever ends the process (even an exception), the files go with it: 'exit' runs sync code.
  process.on('exit', removeFiles);
  let exiting = false;
  const exit = async (code: number): Promise<void> => {
    if (exiting) return;
    exiting = true;
    removeFiles();
    logger.info('Stopped');
    await logger.close();
    process.exit(code);
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warning(`Got ${signal} again: exiting now`);
      void exit(1);
      return;
    }
    stopping = true;
    logger.info(`Got ${signal}: shutting down gracefully`);
    // A referenced timer keeps the process alive until the stop settles: a half-closed socket
    // that neither reads nor writes holds nothing, and Node would exit midway, silently.
    const deadline = setTimeout(() => {
      logger.warning(`Still stopping after ${options.stopDeadlineMs / 1000}s: exiting now`);
      void exit(1);
    }, options.stopDeadlineMs);
    target.stop().then(
      () => {
        clearTimeout(deadline);
        void exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        logger.error(`Shutdown failed: ${String(error)}`);
        void exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // logrotate's convention (nginx, Apache): reopen the log files, nothing else. Workers are told
  // over IPC. The line goes out after the reopen, so it starts the new error log file.
  process.on('SIGUSR1', () => {
    logger.reopen?.();
    target.reopenLogs();
    logger.info('Got SIGUSR1: reopened the log files');
  });

  let serial = 0;
  const report = (ok: boolean, message: string, code: string | null): void => {
    serial++;
    if (files === null) return;
    try {
      files.status.writeReloadStatus(files.statusFile, {
        pid: process.pid,
        serial,
        ok,
        message,
        code,
      });
    } catch (error) {
      logger.warning(`Cannot write the reload status to ${files.statusFile}: ${String(error)}`);
    }
  };
  process.on('SIGHUP', () => {
    if (!options.reloadable) {
      logger.warning('Got SIGHUP, but this server has no config file to reload');
      return;
    }
    logger.info('Got SIGHUP: reloading the configuration');
    void target.reload().then(
      () => {
        logger.info('Configuration reloaded');
        report(true, '', null);
      },
      (error: unknown) => {
        const message = isPortaError(error) ? error.message : String(error);
        logger.error(`Reload failed, still running the previous configuration: ${message}`);
        report(false, message, isPortaError(error) ? error.code : null);
      },
    );
  });
  // SIGHUP is this handler's alone now, before the pid file tells `porta reload` it may send one
  // (else it would also say "ignored" until the command returned).
  releaseSighup();
  // Last: once the pid file exists, `porta stop` and `porta reload` find working handlers.
  if (files !== null) files.pid.writePidFile(files.pidFile, process.pid);
}
