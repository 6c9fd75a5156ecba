// The `app` handler's config: a fetch-handler module, its export and its timeout.
import { extname } from 'node:path';
import { z } from 'zod';
import { APP_EXTENSIONS } from '../handlers/app/load-app.js';
import { duration } from './unit-fields.js';

export const AppSchema = z
  .object({
    module: z
      .string()
      .min(1)
      .refine((m) => APP_EXTENSIONS.includes(extname(m)), {
        message: `expected a module path ending in ${APP_EXTENSIONS.join(', ')}`,
      })
      .describe(
        'The app module, relative to the config file (or base_dir): .ts/.mts (loaded through tsx, no build step), .js or .mjs. Loaded once in every worker; `porta reload` starts fresh workers that load it again.',
      ),
    export: z
      .string()
      .min(1)
      .default('default')
      .describe(
        'The export holding the app: an object with a `fetch(request, env)` method (Hono, h3, itty-router, `export default { fetch }`) or such a function.',
      ),
    timeout: duration(
      '30s',
      'How long the app may take to return its Response before porta answers 504 and aborts `request.signal` (a streamed body may take longer). 0 = no limit.',
    ),
  })
  .strict()
  .describe(
    "Run a Web-standard fetch handler (Hono, h3, itty-router, ...): it gets a Request, returns a Response. The route's max_body_size caps the request body (413).",
  );

export type AppConfig = z.infer<typeof AppSchema>;
