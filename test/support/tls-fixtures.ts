// Certificates for TLS tests: a throwaway CA (porta's own local-CA code) in a temp folder, and leaves it signs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCa, issueLeaf } from '../../src/tls/local-ca.js';

export interface TestPki {
  /** Temp folder: the CA (ca.pem) and issued files; also usable as PORTA_DATA_DIR. */
  readonly dir: string;
  readonly caPath: string;
  readonly caPem: string;
  /** Writes `<file>.pem` and `<file>-key.pem` for these names; returns their paths. */
  issue(
    names: readonly string[],
    file: string,
    usage?: 'server' | 'client',
  ): Promise<{ certPath: string; keyPath: string; certPem: string; keyPem: string }>;
  remove(): void;
}

export async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'porta-pki-'));
  const { ca } = await ensureLocalCa(dir);
  return {
    dir,
    caPath: ca.certPath,
    caPem: ca.certPem,
    issue: async (names, file, usage = 'server') => {
      const pair = await issueLeaf(ca, names, usage);
      const certPath = join(dir, `${file}.pem`);
      const keyPath = join(dir, `${file}-key.pem`);
      writeFileSync(certPath, pair.certPem);
      writeFileSync(keyPath, pair.keyPem);
      return { certPath, keyPath, certPem: pair.certPem, keyPem: pair.keyPem };
    },
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The subject CN of the certificate the server showed. */
  readonly certificateName: string;
}

/** One HTTPS GET with node:https, trusting `ca`, sending `servername` as SNI. */
export function httpsGet(
  port: number,
  options: {
    readonly ca: string;
    readonly servername?: string;
    readonly path?: string;
    readonly cert?: string;
    readonly key?: string;
  },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        ca: options.ca,
        ...(options.servername === undefined
          ? {}
          : { servername: options.servername, headers: { host: options.servername } }),
        ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
        agent: false,
      },
      (res) => {
        let body = '';
        if (!(res.socket instanceof TLSSocket)) throw new Error('not a TLS socket');
        const peer = res.socket;
        const certificateName = String(peer.getPeerCertificate().subject.CN);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers, certificateName });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
