// Filters an upstream response's fields for the client: hop-by-hop and framing dropped, the keep-alive hint read.
import { FieldRole, connectionListedNames, fieldRole } from './field-names.js';

/** The fields to pass on, and the upstream's Keep-Alive timeout in ms (-1 when it gave none). */
export interface FilteredFields {
  readonly headers: string[];
  readonly keepAliveMs: number;
}

/**
 * RFC 9110 §7.6.1: drops Connection and the fields it names, Keep-Alive, Transfer-Encoding,
 * Upgrade and friends; Content-Length too (the engine frames the body), and Date and Server
 * (the engine writes its own). With `upgrade`, Upgrade and Connection are rewritten for a 101.
 */
export function filterResponseFields(
  headers: readonly string[],
  connection: string,
  upgrade: boolean,
): FilteredFields {
  const listed = connectionListedNames(connection);
  const out: string[] = [];
  let keepAliveMs = -1;
  let upgradeValue = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    const role = fieldRole(name);
    if (role === FieldRole.Other || role === FieldRole.Via || role >= FieldRole.Forwarded) {
      if (role === FieldRole.Date || role === FieldRole.Server) continue;
      if (listed !== null && listed.includes(name.toLowerCase())) continue;
      out.push(name, value);
    } else if (role === FieldRole.HopByHop) {
      const lower = name.toLowerCase();
      if (lower === 'keep-alive') keepAliveMs = keepAliveTimeout(value);
      else if (lower === 'upgrade') upgradeValue = value;
    } else if (role === FieldRole.Host || role === FieldRole.Expect) {
      out.push(name, value); // odd in a response, but not ours to drop
    }
  }
  if (upgrade) out.push('Connection', 'upgrade', 'Upgrade', upgradeValue);
  return { headers: out, keepAliveMs };
}

/** `Keep-Alive: timeout=5, max=100` -> 5000; -1 when absent or malformed. */
function keepAliveTimeout(value: string): number {
  const at = value.toLowerCase().indexOf('timeout=');
  if (at < 0) return -1;
  const seconds = Number.parseInt(value.slice(at + 8), 10);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : -1;
}
