// The `admin:` key: where the admin listener (metrics, health, status page) binds and who may use it.
import { z } from 'zod';
import type { ListenAddress } from '../net/listen-address.js';
import { adminAddress, isLoopback } from './admin-options.js';
import { BasicAuthSchema, directiveFields } from './directive-schema.js';

/** The admin listener as an object: an address, and the guard a non-loopback one needs. */
const AdminObjectSchema = z
  .object({
    listen: z
      .string()
      .describe(
        'Address of the admin listener: "127.0.0.1:2019", "[::1]:2019", or a bare port ("2019"), which binds 127.0.0.1 only.',
      ),
    allow: directiveFields.allow.describe(
      'Client addresses that may use the admin listener ("10.0.0.0/8", "192.0.2.7"); others get 403. Needed (or basic_auth) when listen is not a loopback address.',
    ),
    basic_auth: BasicAuthSchema.optional().describe(
      'HTTP Basic authentication for every admin path, as on routes. Needed (or allow) when listen is not a loopback address.',
    ),
  })
  .strict();

/** `admin: 127.0.0.1:2019`, or the object form with allow / basic_auth. */
export const AdminSchema = z
  .union([z.string(), AdminObjectSchema])
  .superRefine((value, context) => {
    const listen = typeof value === 'string' ? value : value.listen;
    let address: ListenAddress;
    try {
      address = adminAddress(listen);
    } catch (error) {
      context.addIssue({
        code: 'custom',
        path: typeof value === 'string' ? [] : ['listen'],
        message: (error as Error).message,
      });
      return;
    }
    if (isLoopback(address)) return;
    const guarded =
      typeof value !== 'string' && (value.basic_auth !== undefined || value.allow !== undefined);
    if (guarded) return;
    context.addIssue({
      code: 'custom',
      path: typeof value === 'string' ? [] : ['listen'],
      message:
        `${address.text} is not a loopback address: metrics and the status page would be open to the network. ` +
        `Bind 127.0.0.1, or write admin as { listen: "${listen}", allow: [CIDRs] } and/or add basic_auth`,
    });
  })
  .describe(
    'The admin listener: GET /metrics (Prometheus), /healthz, /readyz and a live status page at /, off the public ports, run once for the whole server. "127.0.0.1:2019" or { listen, allow, basic_auth }. Off unless set.',
  );

export type AdminConfig = z.output<typeof AdminSchema>;
