// `--open`: opens the first URL in the desktop's browser, if there is one; never fails the server.
import { spawn } from 'node:child_process';

export function openBrowser(urls: readonly string[]): void {
  const first = urls[0];
  if (first === undefined) return;
  // A wildcard bind is reachable on loopback; browsers cannot open 0.0.0.0 everywhere.
  const url = first.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//localhost:');
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined); // no desktop: the URL is in the log anyway
    child.unref();
  } catch {
    // same as above
  }
}
