// Turns accepted TCP sockets into TLS sockets: plain-HTTP detection, SNI by host, ALPN, handshake deadline, mTLS.
import type { Socket } from 'node:net';
import {
  type SecureContext,
  type SecureContextOptions,
  Server as TlsServer,
  type TLSSocket,
  createSecureContext,
} from 'node:tls';
import { SniTable } from './sni-table.js';
import type { LoadedCertificate } from './tls-certificate.js';
import { TICKET_ROTATION_MS, type TicketKeys } from './ticket-keys.js';

/**
 * Mozilla's "intermediate" TLS 1.2 suites (ECDHE with AES-GCM or ChaCha20, DHE-RSA for old
 * clients); TLS 1.3 suites are OpenSSL's defaults, all three of which are in the profile.
 */
export const INTERMEDIATE_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');
export const INTERMEDIATE_CURVES = 'X25519:prime256v1:secp384r1';
/** A ticket lives as long as its key (rotated by whoever owns the TicketKeys). */
export const SESSION_TIMEOUT_S = TICKET_ROTATION_MS / 1000;

export type ClientAuth = 'off' | 'optional' | 'require';

/** One site's TLS: the names it answers (empty = the default site) and its certificate. */
export interface TlsSite {
  readonly hosts: readonly string[];
  readonly certificate: LoadedCertificate;
  readonly clientAuth: ClientAuth;
}

export interface TlsAcceptorOptions {
  readonly sites: readonly TlsSite[];
  /** ALPN protocols offered, best first: ['http/1.1'], or ['h2', 'http/1.1'] once HTTP/2 is on. */
  readonly alpn: readonly string[];
  /** From accept to a finished handshake (a silent or slow client is dropped then). */
  readonly handshakeTimeoutMs: number;
}

type OcspDone = (error: Error | null, response: Buffer | null) => void;

interface SiteContext {
  readonly context: SecureContext;
  readonly clientAuth: ClientAuth;
}

/** One immutable set of contexts; a reload or a key rotation makes the next one. */
interface Generation {
  readonly server: TlsServer;
  readonly table: SniTable<SiteContext>;
}

/** nginx's 497 idea: a client that spoke plain HTTP to this port learns why it failed. */
const PLAIN_HTTP_BODY = 'This port speaks HTTPS: use https:// instead of http://\n';
const PLAIN_HTTP_ANSWER = Buffer.from(
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${PLAIN_HTTP_BODY.length}\r\nConnection: close\r\n\r\n${PLAIN_HTTP_BODY}`,
  'latin1',
);
/** TLS record type 22 (handshake): RFC 8446 §5.1. */
const TLS_HANDSHAKE = 0x16;
/** How long the plain-HTTP answer may take to leave before the socket is destroyed. */
const LINGER_MS = 2000;

function contextOptions(
  site: TlsSite,
  ticketKey: Buffer,
): SecureContextOptions & { ticketKeys: Buffer } {
  const cert = site.certificate;
  return {
    cert: cert.cert,
    key: cert.key,
    ...(cert.clientCa === null ? {} : { ca: cert.clientCa }),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: INTERMEDIATE_CIPHERS,
    ecdhCurve: INTERMEDIATE_CURVES,
    // Mozilla intermediate: the client picks (every suite offered is strong).
    honorCipherOrder: false,
    dhparam: 'auto',
    sessionTimeout: SESSION_TIMEOUT_S,
    ticketKeys: ticketKey,
  };
}

/** Builds every context now, so a bad certificate fails here, before anything is swapped. */
function createGeneration(
  options: TlsAcceptorOptions,
  ticketKey: Buffer,
  onSecure: (socket: TLSSocket) => void,
  onClientError: (error: Error, socket: TLSSocket) => void,
): Generation {
  const table = new SniTable<SiteContext>();
  let defaultSite: TlsSite | undefined;
  for (const site of options.sites) {
    const entry: SiteContext = {
      context: createSecureContext(contextOptions(site, ticketKey)),
      clientAuth: site.clientAuth,
    };
    for (const host of site.hosts) table.add(host, entry);
    if (site.hosts.length === 0) table.setDefault(entry);
    defaultSite ??= site.hosts.length === 0 ? site : undefined;
  }
  // No catch-all site: the first one answers clients that name no known host (nginx's rule).
  const first = options.sites[0];
  if (first === undefined) throw new RangeError('a TLS listener needs at least one site');
  defaultSite ??= first;
  if (table.default === undefined) {
    table.setDefault(table.lookup(first.hosts[0] ?? '') as SiteContext);
  }
  const requestCert = options.sites.some((s) => s.clientAuth !== 'off');
  const server = new TlsServer(
    {
      ...contextOptions(defaultSite, ticketKey),
      ALPNProtocols: [...options.alpn],
      handshakeTimeout: options.handshakeTimeoutMs,
      requestCert,
      // Checked per site once the handshake is done: one site's mTLS must not bind the others.
      rejectUnauthorized: false,
      // One site: its context is the server's own, and no SNI callback (a round trip into
      // JavaScript in the middle of every handshake) is needed.
      ...(options.sites.length === 1
        ? {}
        : {
            SNICallback: (
              name: string,
              callback: (error: Error | null, context: SecureContext) => void,
            ) => {
              callback(null, (table.lookup(name) as SiteContext).context);
            },
          }),
    },
    (socket: TLSSocket) => {
      socket.on('error', ignore);
      const site = table.lookup(socket.servername === false ? '' : (socket.servername ?? ''));
      if (site !== undefined && site.clientAuth === 'require' && !socket.authorized) {
        socket.destroy();
        return;
      }
      onSecure(socket);
    },
  );
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    // node:tls reports a handshake timeout here without closing the socket: close it.
    socket.destroy();
    onClientError(error, socket);
  });
  const staples = new Map<string, Buffer>();
  for (const site of options.sites) {
    const { ocsp, leafDer } = site.certificate;
    if (ocsp !== null) staples.set(leafDer.toString('base64'), ocsp);
  }
  // Listening makes node:tls ask every handshake for a staple: only when there is one to give.
  if (staples.size > 0) {
    server.on('OCSPRequest', (certificate: Buffer, _issuer: Buffer, done: OcspDone) => {
      done(null, staples.get(certificate.toString('base64')) ?? null);
    });
  }
  return { server, table };
}

/**
 * Hands each accepted TCP socket to TLS, and each finished handshake to `onSecure` (the
 * runtime picks HTTP/1.1 or h2 from `socket.alpnProtocol`). Sockets already in a handshake
 * keep the contexts they started with; `update` and key rotations apply to the next ones.
 */
export class TlsAcceptor {
  #options: TlsAcceptorOptions;
  #generation: Generation;
  readonly #keys: TicketKeys;
  readonly #onSecure: (socket: TLSSocket) => void;
  readonly #onClientError: (error: Error, socket: TLSSocket) => void;
  readonly #unsubscribe: () => void;
  /** Raw sockets not yet through their handshake, with their deadline: destroyed on close. */
  readonly #pending = new Map<Socket, NodeJS.Timeout>();

  constructor(
    options: TlsAcceptorOptions,
    keys: TicketKeys,
    onSecure: (socket: TLSSocket) => void,
    onClientError: (error: Error, socket: TLSSocket) => void = ignore,
  ) {
    this.#options = options;
    this.#keys = keys;
    this.#onSecure = (socket) => {
      // node:tls keeps the TCP socket it wrapped as `_parent` (not in its typings).
      const raw = (socket as TLSSocket & { readonly _parent?: Socket })._parent;
      if (raw !== undefined) this.#settle(raw);
      onSecure(socket);
    };
    this.#onClientError = onClientError;
    this.#generation = this.#create(options, keys.current);
    this.#unsubscribe = keys.onChange((key) => {
      this.#generation = this.#create(this.#options, key);
    });
  }

  /** New certificates or ALPN for new connections; throws (changing nothing) on a bad one. */
  update(options: TlsAcceptorOptions): void {
    this.#generation = this.#create(options, this.#keys.current);
    this.#options = options;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  accept(raw: Socket): void {
    // One deadline from accept to a finished handshake, whatever the client sends or not:
    // a silent client, a ClientHello cut short, a handshake dragged out byte by byte.
    const deadline = setTimeout(() => raw.destroy(), this.#options.handshakeTimeoutMs);
    deadline.unref();
    this.#pending.set(raw, deadline);
    raw.once('close', () => {
      this.#settle(raw);
    });
    raw.once('data', (chunk: Buffer) => {
      this.#first(raw, chunk);
    });
  }

  #settle(raw: Socket): void {
    const deadline = this.#pending.get(raw);
    if (deadline === undefined) return;
    clearTimeout(deadline);
    this.#pending.delete(raw);
  }

  #first(raw: Socket, chunk: Buffer): void {
    raw.pause();
    const byte = chunk[0] ?? 0;
    if (byte >= 0x41 && byte <= 0x5a) {
      // An upper-case letter: a request line ("GET / HTTP/1.1"), not a TLS record.
      this.#settle(raw);
      const linger = setTimeout(() => raw.destroy(), LINGER_MS);
      linger.unref();
      raw.once('close', () => {
        clearTimeout(linger);
      });
      raw.end(PLAIN_HTTP_ANSWER);
      raw.resume(); // read and drop the rest so our FIN and the answer get through
      return;
    }
    // From here node:tls owns the socket; a record that is not a ClientHello fails there,
    // with a tlsClientError, and the socket is destroyed.
    if (byte !== TLS_HANDSHAKE) {
      raw.destroy(); // neither TLS nor HTTP: nothing to answer
      return;
    }
    raw.unshift(chunk);
    const generation = this.#generation;
    generation.server.emit('connection', raw);
  }

  /** Stops rotations reaching this acceptor and destroys handshakes in progress. */
  close(): void {
    this.#unsubscribe();
    for (const [raw, deadline] of this.#pending) {
      clearTimeout(deadline);
      raw.destroy();
    }
    this.#pending.clear();
  }

  #create(options: TlsAcceptorOptions, key: Buffer): Generation {
    return createGeneration(options, key, this.#onSecure, this.#onClientError);
  }
}

function ignore(): void {
  // TLS errors of one client end that client's socket only.
}
