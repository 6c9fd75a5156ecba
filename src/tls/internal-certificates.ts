// `tls: internal`: a leaf from the local CA per site, kept on disk and reused while it is fresh.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../config/build-plan.js';
import type { Logger } from '../log/logger.js';
import { type CertificateFiles, loadCertificate } from '../net/tls-certificate.js';
import { portaDataDir } from './data-dir.js';
import { ensureLocalCa, isLeafFresh, issueLeaf, writeFileAtomic } from './local-ca.js';

/** The names an internal certificate covers: the site's hosts and every name of this machine. */
export function internalNames(hosts: readonly string[]): string[] {
  const names = [...hosts, 'localhost', '127.0.0.1', '::1', hostname().toLowerCase()];
  return [...new Set(names.filter((name) => name !== ''))];
}

export interface InternalCertificate {
  readonly files: CertificateFiles;
  /** Whether this call made the CA (then the caller prints how to trust it). */
  readonly caCreated: boolean;
  readonly caCertPath: string;
  readonly issued: boolean;
}

/** The leaf for `hosts` in `dir`/certs, issued (and the CA made) when missing or stale. */
export async function internalCertificate(
  hosts: readonly string[],
  dir: string = portaDataDir(),
): Promise<InternalCertificate> {
  const names = internalNames(hosts);
  const id = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 12);
  const certs = join(dir, 'certs');
  const certPath = join(certs, `${id}.pem`);
  const keyPath = join(certs, `${id}-key.pem`);
  const { ca, created } = await ensureLocalCa(dir);
  let issued = false;
  if (!isFresh(certPath, names)) {
    const pair = await issueLeaf(ca, names);
    mkdirSync(certs, { recursive: true, mode: 0o700 });
    writeFileAtomic(keyPath, pair.keyPem, 0o600);
    writeFileAtomic(certPath, pair.certPem, 0o644);
    issued = true;
  }
  return { files: { certPath, keyPath }, caCreated: created, caCertPath: ca.certPath, issued };
}

function isFresh(certPath: string, names: readonly string[]): boolean {
  try {
    return isLeafFresh(readFileSync(certPath, 'utf8'), names);
  } catch {
    return false;
  }
}

/** Whether any site of the plan asks for `tls: internal`. */
export function needsInternalCertificates(plan: Plan): boolean {
  return plan.http.some((l) => l.tls?.sites.some((s) => s.certificate === null) === true);
}

/** The plan with every `internal` site's certificate issued (or reused) and loaded. */
export async function issueInternalCertificates(
  plan: Plan,
  dir: string = portaDataDir(),
  onIssued: (what: InternalCertificate) => void = () => undefined,
): Promise<Plan> {
  if (!needsInternalCertificates(plan)) return plan;
  const http = [];
  for (const listener of plan.http) {
    if (listener.tls === null) {
      http.push(listener);
      continue;
    }
    const sites = [];
    for (const site of listener.tls.sites) {
      if (site.certificate !== null) {
        sites.push(site);
        continue;
      }
      const internal = await internalCertificate(site.hosts, dir);
      onIssued(internal);
      sites.push({ ...site, certificate: loadCertificate(internal.files) });
    }
    http.push({ ...listener, tls: { ...listener.tls, sites } });
  }
  return { ...plan, http };
}

/** Says what the local CA did: a new CA needs trusting once, for browsers to accept its leaves. */
export function reportIssued(
  issued: InternalCertificate,
  logger: Pick<Logger, 'info' | 'warning'>,
): void {
  if (issued.caCreated) {
    logger.warning(
      `Made a local certificate authority: ${issued.caCertPath}. Browsers warn until it is ` +
        'trusted: run `porta trust` (system store and Chromium/Firefox NSS databases)',
    );
  }
  if (issued.issued) logger.info(`Issued a local certificate: ${issued.files.certPath}`);
}
