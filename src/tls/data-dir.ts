// Where porta keeps what outlives a run (the local CA, issued certificates): the XDG data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Overrides the folder (tests, containers with a volume). */
export const DATA_DIR_ENV = 'PORTA_DATA_DIR';

/** $PORTA_DATA_DIR, else $XDG_DATA_HOME/porta, else ~/.local/share/porta. */
export function portaDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env[DATA_DIR_ENV];
  if (own !== undefined && own !== '') return own;
  const xdg = env.XDG_DATA_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.local', 'share'), 'porta');
}
