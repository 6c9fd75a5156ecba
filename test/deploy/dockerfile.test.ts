// The Dockerfile keeps the rules we hold images to (no container engine or hadolint binary runs
// here: hadolint's npm wrappers download from GitHub, so the rules are checked on the parsed
// file), and the image's production-only node_modules holds every package dist/ imports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listFiles } from '../support/doc-snippets.js';
import { imageContract, lintDockerfile } from '../support/dockerfile-rules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCKERFILE = readFileSync(`${ROOT}/Dockerfile`, 'utf8');

/** `import ... from 'x'` / `export ... from 'x'`, `import 'x'`, `import('x')` in compiled ESM. */
const IMPORT =
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

const BROKEN = `FROM node:latest
ADD . /app
WORKDIR app
RUN cd /app && npm install && sudo chown -R node .
RUN apt-get install -y curl
USER root
EXPOSE 80
HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1
ENTRYPOINT node dist/main.js
CMD serve site --port 8080
`;

describe('Dockerfile', () => {
  it('keeps every rule', () => {
    assert.deepEqual(lintDockerfile(DOCKERFILE), []);
  });

  it('the rules have teeth: a Dockerfile that breaks them gets one message per broken rule', () => {
    const problems = lintDockerfile(BROKEN);
    for (const expected of [
      /FROM node:latest: pin the base image/,
      /line 2 ADD: use COPY/,
      /line 3 WORKDIR: WORKDIR must be an absolute path/,
      /line 4 RUN: use WORKDIR, not cd/,
      /line 4 RUN: no sudo/,
      /line 4 RUN: use npm ci/,
      /line 5 RUN: apt-get install needs --no-install-recommends/,
      /multi-stage/,
      /non-root USER/,
      /ENTRYPOINT must be the exec form/,
      /CMD must be the exec form/,
      /STOPSIGNAL must be SIGTERM/,
      /HEALTHCHECK must be the exec form/,
      /line 4 RUN: install dependencies in a build stage/,
    ]) {
      assert.ok(
        problems.some((problem) => expected.test(problem)),
        `${String(expected)} not in:\n${problems.join('\n')}`,
      );
    }
  });

  it('node is PID 1 and the health check asks the admin listener on loopback', () => {
    const contract = imageContract(DOCKERFILE);
    // The command line as users get it from npm: the bundle (package.json `bin`).
    const manifest = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
      bin: Record<string, string>;
    };
    assert.deepEqual(contract.entrypoint, ['node', manifest.bin.porta]);
    assert.equal(contract.stopSignal, 'SIGTERM');
    assert.match(contract.env.PORTA_ADMIN ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(contract.healthcheck[0], 'node');
    assert.match(contract.healthcheck.join(' '), /PORTA_ADMIN/);
    // The admin port stays inside: only the site's port is exposed.
    const adminPort = Number((contract.env.PORTA_ADMIN ?? '').split(':')[1]);
    assert.ok(!contract.exposed.includes(adminPort), `EXPOSE ${contract.exposed.join(' ')}`);
  });

  it('the image holds the files porta reads at run time (src/build-layout.ts)', () => {
    const { copied } = imageContract(DOCKERFILE);
    // package.json (the version), assets/ (the admin status page), the build, the welcome site.
    for (const source of ['package.json', 'assets', '/app/dist', 'site'])
      assert.ok(copied.includes(source), `${source} not in ${copied.join(' ')}`);
  });

  it('.dockerignore keeps the host build and modules out of the build context', () => {
    const ignored = readFileSync(`${ROOT}/.dockerignore`, 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.git']) assert.ok(ignored.includes(entry), entry);
  });

  it('the compiled code imports only node built-ins and production dependencies', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const allowed = new Set([...builtinModules, ...Object.keys(pkg.dependencies)]);
    const missing = new Set<string>();
    const files = listFiles(ROOT, 'dist', (name) => name.endsWith('.js'));
    assert.ok(files.length > 50, `${files.length} files in dist/ (build first)`);
    for (const file of files) {
      const text = readFileSync(`${ROOT}/${file}`, 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const specifier = (match[1] ?? match[2] ?? match[3] ?? '').replace(/^node:/, '');
        if (specifier.startsWith('.')) continue;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : (specifier.split('/')[0] ?? '');
        if (!allowed.has(name)) missing.add(`${name} (${file})`);
      }
    }
    assert.deepEqual([...missing], []);
  });
});
