// porta's local certificate authority (mkcert's and Caddy's model): made once, kept in the data folder, issues leaves.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** The CA's files in the data folder. */
export interface LocalCa {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A leaf certificate and its key, PEM. */
export interface IssuedPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';
const CA_YEARS = 10;
/** Leaves live 90 days (well under browsers' 398-day cap) and are reissued with 30 left. */
export const LEAF_DAYS = 90;
export const LEAF_RENEW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** node-forge (pure JS, RSA) is loaded only when a certificate must be made: ~60 ms of startup otherwise. */
type Forge = typeof import('node-forge');
async function loadForge(): Promise<Forge> {
  const module = (await import('node-forge')) as Forge & { default?: Forge };
  return module.default ?? module;
}

/** RSA-2048 made by OpenSSL (node:crypto), not forge's JS: a second instead of several. */
function rsaKeyPem(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A positive serial of 16 random bytes (RFC 5280 §4.1.2.2). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Writes through a temp file and a rename, so a reader (another worker) never sees half a file. */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
}

/** Reads the CA from `dir`, or null when there is none yet. */
export function readLocalCa(dir: string): LocalCa | null {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  try {
    return {
      certPath,
      keyPath,
      certPem: readFileSync(certPath, 'utf8'),
      keyPem: readFileSync(keyPath, 'utf8'),
    };
  } catch {
    return null;
  }
}

/** The CA in `dir`, made on first use (key readable by this user only). */
export async function ensureLocalCa(dir: string): Promise<{ ca: LocalCa; created: boolean }> {
  const existing = readLocalCa(dir);
  if (existing !== null) return { ca: existing, created: false };
  const forge = await loadForge();
  const keys = rsaKeyPem();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + CA_YEARS * 365 * DAY_MS);
  const subject = [
    { name: 'organizationName', value: 'porta local CA' },
    {
      name: 'commonName',
      value: `porta local CA ${hostname()} ${new Date(now).toISOString().slice(0, 10)}`,
    },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certPem = forge.pki.certificateToPem(cert);
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  writeFileAtomic(keyPath, keys.privatePem, 0o600);
  writeFileAtomic(certPath, certPem, 0o644);
  return { ca: { certPath, keyPath, certPem, keyPem: keys.privatePem }, created: true };
}

/**
 * Issues a certificate for these DNS names and IP addresses, signed by the CA: a server's, or
 * a client's for mTLS (`porta` itself only issues server ones; tests make client ones).
 */
export async function issueLeaf(
  ca: LocalCa,
  names: readonly string[],
  usage: 'server' | 'client' = 'server',
): Promise<IssuedPair> {
  const forge = await loadForge();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const keys = rsaKeyPem();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000); // clocks a little behind
  cert.validity.notAfter = new Date(now + LEAF_DAYS * DAY_MS);
  cert.setSubject([
    { name: 'organizationName', value: 'porta local certificate' },
    { name: 'commonName', value: names[0] ?? 'localhost' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    usage === 'server'
      ? { name: 'extKeyUsage', serverAuth: true }
      : { name: 'extKeyUsage', clientAuth: true },
    {
      name: 'subjectAltName',
      // RFC 5280 §4.2.1.6: type 2 dNSName, type 7 iPAddress.
      altNames: names.map((name) =>
        isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name },
      ),
    },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  // The chain a client needs: the leaf; the CA itself is what the client trusts.
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** Whether a leaf on disk covers `names` and has more than LEAF_RENEW_DAYS left. */
export function isLeafFresh(certPem: string, names: readonly string[], now = Date.now()): boolean {
  try {
    const leaf = new X509Certificate(certPem);
    if (new Date(leaf.validTo).getTime() - now < LEAF_RENEW_DAYS * DAY_MS) return false;
    const dns = new Set(
      (leaf.subjectAltName ?? '')
        .split(', ')
        .filter((part) => part.startsWith('DNS:'))
        .map((part) => part.slice(4)),
    );
    return names.every((name) =>
      isIP(name) === 0 ? dns.has(name) : leaf.checkIP(name) !== undefined,
    );
  } catch {
    return false;
  }
}
