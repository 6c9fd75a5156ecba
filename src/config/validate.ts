// Validates a configuration object against the schema; every problem at once, with its key path.
import type { z } from 'zod';
import { PortaError } from '../errors.js';
import { type Config, ConfigSchema } from './schema.js';

/** "sites[0].routes[2].proxy.to" from a zod issue path. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatKeyPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

/** Returns the config with defaults filled in, or throws PortaError listing every problem. */
export function validateConfig(input: unknown, source = 'config'): Config {
  const result = ConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${source}: ${describeIssue(issue)}`);
  throw new PortaError('PORTA_CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`);
}
