// How connections to https:// upstreams are made: one secure context per handler, SNI and verification per peer.
import { isIP, type Socket, connect as connectTcp } from 'node:net';
import {
  type ConnectionOptions,
  type SecureContext,
  type TLSSocket,
  connect as connectTls,
  createSecureContext,
} from 'node:tls';

/** The proxy's `tls:` for https upstreams, validated (the CA file already read and parsed). */
export interface UpstreamTlsOptions {
  /** PEM of the CAs trusted instead of Node's bundled roots, or null for those roots. */
  readonly ca: Buffer | null;
  /** Sent as SNI and checked against the certificate instead of the URL's host, or null. */
  readonly serverName: string | null;
  /** false: any certificate is accepted (self-signed development upstreams). */
  readonly verify: boolean;
}

/** What one pool needs to open connections to its address: null for cleartext. */
export interface PeerTls {
  readonly context: SecureContext;
  /** SNI and the name the certificate must carry; undefined for an IP (checked against the IP). */
  readonly servername: string | undefined;
  readonly verify: boolean;
}

/** Certificate problems (as opposed to a broken handshake): the log line says how to fix them. */
const VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A TLS error as one log phrase: what failed and, for a refused certificate, what to set. */
export function describeTlsError(error: Error): string {
  const { code, syscall } = error as NodeJS.ErrnoException;
  // A socket error (refused, reset) is not the handshake's: its own message says it.
  if (syscall !== undefined) return error.message;
  if (code !== undefined && VERIFY_CODES.has(code)) {
    return (
      `certificate verify failed: ${error.message} (${code}); ` +
      'trust its CA with proxy tls.ca, or set tls.insecure_skip_verify for a development upstream'
    );
  }
  return `TLS handshake failed: ${error.message}`;
}

/** Built once per proxy handler: the secure context every https connection of it shares. */
export class UpstreamTls {
  readonly #context: SecureContext;
  readonly #options: UpstreamTlsOptions;

  constructor(options: UpstreamTlsOptions) {
    this.#options = options;
    // A context per handler, not per connection: building one parses the CA bundle.
    this.#context = createSecureContext({
      minVersion: 'TLSv1.2',
      ...(options.ca === null ? {} : { ca: options.ca }),
    });
  }

  /** For a peer configured by `host` (a name or an IP literal from the URL). */
  forHost(host: string): PeerTls {
    // RFC 6066 §3: SNI carries DNS names only; an IP upstream's certificate is checked for the IP.
    const name = this.#options.serverName ?? (isIP(host) === 0 ? host : undefined);
    return { context: this.#context, servername: name, verify: this.#options.verify };
  }
}

/** Opens a connection (TCP, or TLS over it) and says which event means "ready for requests". */
export function dialUpstream(
  address: string,
  port: number,
  tls: PeerTls | null,
  session: Buffer | null,
): { readonly socket: Socket; readonly readyEvent: 'connect' | 'secureConnect' } {
  if (tls === null) {
    return {
      socket: connectTcp({ host: address, port, noDelay: true, allowHalfOpen: true }),
      readyEvent: 'connect',
    };
  }
  // tls.connect passes allowHalfOpen to its TLSSocket (a tunnel's half-close needs it); the
  // type leaves it out.
  const options: ConnectionOptions & { allowHalfOpen: boolean } = {
    host: address,
    port,
    allowHalfOpen: true,
    secureContext: tls.context,
    rejectUnauthorized: tls.verify,
    // HTTP/1.1 only: an upstream that speaks h2 must not pick it for this connection.
    ALPNProtocols: ['http/1.1'],
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    ...(session === null ? {} : { session }),
  };
  const socket: TLSSocket = connectTls(options);
  // ConnectionOptions has no noDelay: set it on the TCP socket under the TLS one.
  socket.setNoDelay(true);
  return { socket, readyEvent: 'secureConnect' };
}
