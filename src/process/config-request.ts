// What a server is asked to run, as plain JSON: a config file with the command line's overrides, or a config built by a one-liner.
import type { ConfigInput } from '../config/schema.js';

/** Set in a config check child's environment (config-check.ts): the request, as JSON. */
export const CONFIG_CHECK_ENV = 'PORTA_CONFIG_CHECK';

/** The keys the command line lays over a config file (--workers, --log-level, --access-log...). */
export interface ConfigOverrides {
  readonly workers?: 'auto' | number;
  readonly log?: Readonly<Record<string, unknown>>;
  /** --admin (an address). */
  readonly admin?: string | undefined;
  /** $PORTA_ADMIN where the command ran: the admin address when neither flag nor file sets one. */
  readonly adminEnv?: string | undefined;
}

/**
 * The `admin` key: --admin, else the file's, else $PORTA_ADMIN (the container image sets it, so
 * every command answers the image's HEALTHCHECK), else nothing. Laid over a file's admin
 * object, --admin moves only `listen`.
 */
export function adminOverride(
  flag: string | undefined,
  current: ConfigInput['admin'],
  fromEnv: string | undefined,
): { admin?: NonNullable<ConfigInput['admin']> } {
  if (flag === undefined) {
    if (current !== undefined) return { admin: current };
    return fromEnv === undefined || fromEnv === '' ? {} : { admin: fromEnv };
  }
  if (current === undefined || typeof current === 'string') return { admin: flag };
  return { admin: { ...current, listen: flag } };
}

export type ConfigRequest =
  | {
      /** `porta run`: the file (undefined: ./porta.yaml), read again on every reload. */
      readonly kind: 'file';
      readonly file: string | undefined;
      readonly overrides: ConfigOverrides;
      /** --pid-file, else the file's pid_file, else one per config path. */
      readonly pidFile: string | undefined;
    }
  | { readonly kind: 'input'; readonly input: ConfigInput };

/** The worker count the request names before any validation, or undefined when only the file knows. */
export function requestedWorkers(request: ConfigRequest): 'auto' | number | undefined {
  if (request.kind === 'file') return request.overrides.workers;
  const workers: unknown = request.input.workers;
  return workers === 'auto' || typeof workers === 'number' ? workers : undefined;
}
