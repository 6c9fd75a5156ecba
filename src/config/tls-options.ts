// A validated `tls:` section as the listener's TLS plan (apart from the schema: workers build plans without zod).
import { resolve } from 'node:path';
import { PortaError } from '../errors.js';
import type { ClientAuth } from '../net/tls-acceptor.js';
import { type LoadedCertificate, loadCertificate } from '../net/tls-certificate.js';
import type { TlsConfig } from './tls-schema.js';
import { parseDuration } from './units.js';

/** One site's TLS in a plan: a loaded certificate, or a request to issue one from the local CA. */
export interface TlsSitePlan {
  readonly hosts: readonly string[];
  /** null: `internal`, issued when the server starts (src/tls/). */
  readonly certificate: LoadedCertificate | null;
  readonly clientAuth: ClientAuth;
}

/** Reads and checks the files now: a bad pair fails the plan (check and reload) naming the file. */
export function tlsSiteFromConfig(
  tls: TlsConfig,
  hosts: readonly string[],
  baseDir: string,
  where: string,
): TlsSitePlan {
  if (tls === 'internal' || tls.internal) {
    return { hosts, certificate: null, clientAuth: tls === 'internal' ? 'off' : tls.client_auth };
  }
  const path = (file: string | undefined): string | undefined =>
    file === undefined ? undefined : resolve(baseDir, file);
  try {
    return {
      hosts,
      certificate: loadCertificate({
        certPath: path(tls.cert) as string,
        keyPath: path(tls.key) as string,
        clientCaPath: path(tls.client_ca),
        ocspPath: path(tls.ocsp_response),
      }),
      clientAuth: tls.client_auth,
    };
  } catch (error) {
    if (error instanceof PortaError) {
      throw new PortaError(error.code, `${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The Strict-Transport-Security value a site's tls asks for, or null (RFC 6797 §6.1). */
export function hstsValue(tls: TlsConfig): string | null {
  if (tls === 'internal' || tls.hsts === false) return null;
  return `max-age=${Math.floor(parseDuration(tls.hsts) / 1000)}`;
}

/** Where a TLS site's cleartext redirect listeners are. */
export function redirectAddresses(tls: TlsConfig): readonly string[] {
  return tls === 'internal' ? [] : tls.redirect_from;
}
