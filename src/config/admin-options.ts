// A validated `admin:` key as the admin listener's settings (apart from the schema: a cluster primary builds its admin listener without zod).
import { type ListenAddress, parseListenAddress } from '../net/listen-address.js';
import type { AdminConfig } from './admin-schema.js';
import type { BasicAuthConfig } from './directive-schema.js';

/** The admin listener's settings in one shape, whichever form the config used. */
export interface AdminSettings {
  readonly address: ListenAddress;
  readonly allow: readonly string[] | undefined;
  readonly basicAuth: BasicAuthConfig | undefined;
}

export function adminSettings(config: AdminConfig): AdminSettings {
  if (typeof config === 'string') {
    return { address: adminAddress(config), allow: undefined, basicAuth: undefined };
  }
  return {
    address: adminAddress(config.listen),
    allow: config.allow,
    basicAuth: config.basic_auth,
  };
}

/** A bare port binds loopback only (unlike a site's): the admin listener is never public by accident. */
export function adminAddress(text: string): ListenAddress {
  const trimmed = text.trim();
  return parseListenAddress(/^\d+$/.test(trimmed) ? `127.0.0.1:${trimmed}` : trimmed);
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(address: ListenAddress): boolean {
  const host = address.host;
  if (host === undefined) return false;
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
