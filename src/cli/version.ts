// porta's version, read once from package.json.
import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../build-layout.js';

const manifest = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as {
  version: string;
};

export const PACKAGE_VERSION: string = manifest.version;
