// `npm start`'s first step: runs `npm run build` (tsc, then the bundle) only when a source is newer
// than the build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** The newest modification time (ms) of the files under a folder, or of one file. */
function newest(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs; // a deleted or renamed file changes its folder's time
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

const sources = Math.max(
  newest(join(root, 'src')),
  newest(join(root, 'tsconfig.json')),
  newest(join(root, 'tsconfig.build.json')),
  newest(join(root, 'scripts', 'bundle.mjs')),
);
/** When a build wrote `file`, or 0 if it is missing. */
const builtAt = (file) => statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0;
// tsc and esbuild rewrite every output on each build: each main.js's time is its last build's.
const built = Math.min(builtAt('dist/main.js'), builtAt('dist/bundle/main.js'));
if (built < sources) {
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
