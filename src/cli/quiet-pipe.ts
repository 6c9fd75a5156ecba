// When the reader of stdout or stderr goes away (`porta schema | head`), stop quietly, no EPIPE trace.

let leaving = false;

function onStdioError(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  if (leaving) return;
  leaving = true;
  // A running server stops the graceful way (its SIGTERM handler); anything else just ends.
  if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
  else process.exit();
}

/** Installs the EPIPE handling on stdout and stderr (once per process). */
export function exitQuietlyOnClosedPipe(): void {
  if (process.stdout.listeners('error').includes(onStdioError)) return;
  process.stdout.on('error', onStdioError);
  process.stderr.on('error', onStdioError);
}
