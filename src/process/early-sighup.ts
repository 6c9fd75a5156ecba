// SIGHUP's default ends the process: from the first line of a server command until its signal
// handlers are in place (a check child, workers starting), one is noted and ignored instead.

let say = (message: string): void => {
  process.stderr.write(`porta: ${message}\n`);
};

function early(): void {
  say('Got SIGHUP while starting: ignored (send it again once serving to reload)');
}

/** Starts ignoring SIGHUP (with a line on stderr) until `releaseSighup`. */
export function holdSighup(): void {
  process.off('SIGHUP', early);
  process.on('SIGHUP', early);
}

/** Says it through this logger from now on (once the config's logger exists). */
export function sayEarlySighupWith(logger: { warning(message: string): void }): void {
  say = (message) => {
    logger.warning(message);
  };
}

/** The server's own handlers are in place (or it failed to start): SIGHUP is theirs again. */
export function releaseSighup(): void {
  process.off('SIGHUP', early);
}
