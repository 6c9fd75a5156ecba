// Reads a site's certificate chain and key (PEM files) and checks them, naming the file at fault.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PortaError } from '../errors.js';

/** Where a site's certificate material lives (absolute paths). */
export interface CertificateFiles {
  /** Leaf first, then the intermediates (certbot's fullchain.pem). */
  readonly certPath: string;
  readonly keyPath: string;
  /** CAs that sign acceptable client certificates (mTLS), or undefined for none. */
  readonly clientCaPath?: string | undefined;
  /** A DER OCSP response to staple (kept fresh by whoever fetches it), or undefined. */
  readonly ocspPath?: string | undefined;
}

/** A checked certificate, ready for `createSecureContext`. */
export interface LoadedCertificate {
  readonly files: CertificateFiles;
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa: Buffer | null;
  readonly ocsp: Buffer | null;
  /** Subject alternative DNS names and the CN, lower case (for messages and the SNI default). */
  readonly names: readonly string[];
  readonly notAfter: Date;
  /** The leaf in DER: matches the certificate node:tls names in an OCSPRequest. */
  readonly leafDer: Buffer;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new PortaError('PORTA_CONFIG_INVALID', `cannot read the ${what} ${path}: ${code}`);
  }
}

/**
 * Reads and checks the files: the chain parses, the key parses, the key belongs to the leaf.
 * Throws PortaError('PORTA_CONFIG_INVALID') naming the file; never returns a half-checked pair.
 */
export function loadCertificate(files: CertificateFiles): LoadedCertificate {
  const cert = readPem(files.certPath, 'certificate');
  const key = readPem(files.keyPath, 'key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new PortaError(
      'PORTA_CONFIG_INVALID',
      `${files.certPath} is not a PEM certificate (${(error as Error).message})`,
    );
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new PortaError(
      'PORTA_CONFIG_INVALID',
      `${files.keyPath} is not a PEM private key without a passphrase (${(error as Error).message})`,
    );
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new PortaError(
      'PORTA_CONFIG_INVALID',
      `${files.keyPath} is not the key of the certificate in ${files.certPath}`,
    );
  }
  const clientCa =
    files.clientCaPath === undefined ? null : readPem(files.clientCaPath, 'client CA file');
  if (clientCa !== null) {
    try {
      new X509Certificate(clientCa);
    } catch {
      throw new PortaError(
        'PORTA_CONFIG_INVALID',
        `${files.clientCaPath ?? ''} is not a PEM certificate (client CA)`,
      );
    }
  }
  const ocsp = files.ocspPath === undefined ? null : readPem(files.ocspPath, 'OCSP response');
  return {
    files,
    cert,
    key,
    clientCa,
    ocsp,
    names: certificateNames(leaf),
    notAfter: new Date(leaf.validTo),
    leafDer: leaf.raw,
  };
}

/** DNS names of the subjectAltName, else the subject CN. */
function certificateNames(leaf: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (leaf.subjectAltName ?? '').split(', ')) {
    if (part.startsWith('DNS:')) names.push(part.slice(4).toLowerCase());
  }
  if (names.length === 0) {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject);
    if (cn?.[1] !== undefined) names.push(cn[1].toLowerCase());
  }
  return names;
}
