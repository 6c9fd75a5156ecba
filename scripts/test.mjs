// `npm test`: build, typecheck, lint, then unit and end-to-end tests; exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Lists *.test.ts files under a folder (Node 20's --test takes no globs). */
function findTests(dir) {
  const out = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...findTests(rel));
    else if (name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

function run(title, cmd, args) {
  console.log(`\n== ${title}: ${cmd} ${args.join(' ')}`.slice(0, 200));
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(
      `\n== ${title} FAILED (exit ${result.status ?? result.signal}) after ${seconds}s`,
    );
    process.exit(1);
  }
  console.log(`== ${title} passed in ${seconds}s`);
}

const only = process.argv.slice(2);
const npx = 'npx';
/** tsc (the library, dist/) and the command-line bundle (dist/bundle/) that e2e tests run. */
function build() {
  run('build', npx, ['tsc', '-p', 'tsconfig.build.json']);
  run('bundle', process.execPath, ['scripts/bundle.mjs']);
}

if (only.length > 0) {
  build();
  run('selected tests', process.execPath, ['--import', 'tsx', '--test', ...only]);
} else {
  build();
  run('typecheck', npx, ['tsc', '-p', 'tsconfig.json']);
  run('lint', npx, ['eslint', '.']);
  run('format', npx, ['prettier', '--check', '.']);
  const unit = [...findTests('src'), ...findTests('fuzz')];
  run('unit tests', process.execPath, ['--import', 'tsx', '--test', ...unit]);
  const e2e = findTests('test');
  run('end-to-end tests', process.execPath, ['--import', 'tsx', '--test', ...e2e]);
}
