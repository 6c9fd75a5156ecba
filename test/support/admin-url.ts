// Finds the admin listener's URL in a running porta's log ("Admin (...) at http://...").
import type { PortaProcess } from './porta-process.js';

/** Waits for the admin listener's announcement and returns its URL. */
export async function adminUrl(porta: PortaProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /Admin \([^)]*\) at (http:\/\/\S+)/.exec(porta.stderr() + porta.stdout());
    if (match !== null) return match[1] as string;
    if (Date.now() > deadline) throw new Error(`no admin listener announced:\n${porta.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
