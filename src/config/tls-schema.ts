// A site's `tls:` section: its schema, with a doc on every field (tls-options.ts turns it into the plan's).
import { z } from 'zod';
import { parseDuration } from './units.js';

const TlsFilesSchema = z
  .object({
    cert: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM file with the certificate, then its intermediates (certbot: fullchain.pem). Relative to the config file.',
      ),
    key: z
      .string()
      .min(1)
      .optional()
      .describe('PEM file with the unencrypted private key (certbot: privkey.pem).'),
    internal: z
      .boolean()
      .default(false)
      .describe(
        "Issue the certificate from porta's local CA (made once in the data folder; trust it with `porta trust`) instead of cert/key.",
      ),
    client_auth: z
      .enum(['off', 'optional', 'require'])
      .default('off')
      .describe(
        'Client certificates (mTLS): ask for none, ask and accept any answer, or require one signed by client_ca.',
      ),
    client_ca: z
      .string()
      .min(1)
      .optional()
      .describe('PEM file of the CAs that sign acceptable client certificates (for client_auth).'),
    redirect_from: z
      .array(z.string())
      .default([])
      .describe(
        'Cleartext addresses (e.g. ":80") that answer every request with a 308 to https on this site\'s port, keeping host, path and query; they serve the site\'s acme_webroot too.',
      ),
    hsts: z
      .union([z.literal(false), z.string(), z.number().nonnegative()])
      .default(false)
      .refine((v) => v === false || !Number.isNaN(parseDuration(v)), {
        message: 'expected false or a duration like "365d" (max-age)',
      })
      .describe(
        'Send Strict-Transport-Security with this max-age (e.g. "365d"): browsers then use https only. false = off.',
      ),
    ocsp_response: z
      .string()
      .min(1)
      .optional()
      .describe(
        "DER OCSP response to staple (like nginx's ssl_stapling_file); whoever renews the certificate refreshes it, porta rereads it on reload.",
      ),
  })
  .strict()
  .refine((t) => t.internal !== (t.cert !== undefined && t.key !== undefined), {
    message: 'expected either cert and key (PEM files) or internal: true',
  })
  .refine((t) => !(t.internal && (t.cert !== undefined || t.key !== undefined)), {
    message: 'internal: true issues its own certificate: drop cert and key',
  })
  .refine((t) => t.client_auth === 'off' || t.client_ca !== undefined, {
    message: 'client_auth needs client_ca: the CAs that sign client certificates',
    path: ['client_ca'],
  });

/** HTTPS for a site: `internal`, or its certificate files and options. */
export const TlsSchema = z
  .union([z.literal('internal'), TlsFilesSchema])
  .describe(
    'HTTPS for this site: "internal" (a certificate from the local CA) or cert and key files. Every site on a TLS address must have tls.',
  );

export type TlsConfig = z.output<typeof TlsSchema>;
export type TlsConfigInput = z.input<typeof TlsSchema>;
