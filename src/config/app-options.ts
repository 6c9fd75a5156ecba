// A validated `app:` section as the handler's AppOptions (apart from the schema: workers build plans without zod).
import { resolve } from 'node:path';
import type { AppOptions } from '../handlers/app/index.js';
import type { AppConfig } from './app-schema.js';
import { parseDuration } from './units.js';

/** The handler's options from its validated section; relative modules start at `baseDir`. */
export function appOptionsFromConfig(app: AppConfig, baseDir: string): AppOptions {
  return {
    file: resolve(baseDir, app.module),
    exportName: app.export,
    timeoutMs: parseDuration(app.timeout),
  };
}
