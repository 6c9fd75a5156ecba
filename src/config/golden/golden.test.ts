// Golden tests: each examples/*/porta.yaml in, its validated config and compiled plan out, compared with <name>.golden.json (UPDATE_GOLDEN=1 rewrites them).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { buildPlan } from '../build-plan.js';
import { type ConfigProblem, isConfigError } from '../config-error.js';
import { formatOf, parseConfigText } from '../load.js';
import { type PlanData, toPlanData } from './plan-summary.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');
const EXAMPLES = join(REPO, 'examples');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Handlers being built elsewhere right now: an example using one is skipped until the schema has it. */
const PENDING_KEYS = new Set(['static', 'proxy', 'forward']);

/** examples/<name>/porta.yaml (or .yml/.json), by name. */
function exampleFiles(): { name: string; file: string }[] {
  const out: { name: string; file: string }[] = [];
  for (const name of readdirSync(EXAMPLES).sort()) {
    for (const candidate of ['porta.yaml', 'porta.yml', 'porta.json']) {
      const file = join(EXAMPLES, name, candidate);
      if (existsSync(file)) {
        out.push({ name, file });
        break;
      }
    }
  }
  return out;
}

/**
 * The reason to skip, when every problem comes from a handler key the schema does not have
 * yet (or is the route's "one handler" rule complaining about that same route); else null.
 */
function pendingReason(problems: readonly ConfigProblem[]): string | null {
  const pendingParents = new Set<string>();
  const keys = new Set<string>();
  for (const p of problems) {
    if (p.unknownKey !== undefined && PENDING_KEYS.has(p.unknownKey)) {
      pendingParents.add(JSON.stringify(p.path.slice(0, -1)));
      keys.add(p.unknownKey);
    }
  }
  if (keys.size === 0) return null;
  const allPending = problems.every(
    (p) =>
      (p.unknownKey !== undefined && PENDING_KEYS.has(p.unknownKey)) ||
      pendingParents.has(JSON.stringify(p.path)),
  );
  return allPending ? `uses ${[...keys].sort().join(', ')}, not in the schema yet` : null;
}

async function jsonText(data: PlanData): Promise<string> {
  // Formatted as `prettier --check .` expects, so golden files pass the format step.
  return format(JSON.stringify(data), { parser: 'json', printWidth: 100 });
}

describe('golden: examples compile to the checked-in plans', () => {
  const examples = exampleFiles();

  it('finds the examples', () => {
    assert.ok(examples.length >= 5, `only ${examples.length} examples`);
  });

  for (const { name, file } of examples) {
    it(name, async (t) => {
      const source = relative(REPO, file);
      let config;
      try {
        // A fixed, empty environment: every ${VAR:-default} takes its default.
        config = parseConfigText(readFileSync(file, 'utf8'), {
          source,
          format: formatOf(file),
          baseDir: dirname(file),
          env: {},
        });
      } catch (error) {
        const reason = isConfigError(error) ? pendingReason(error.problems) : null;
        if (reason === null) throw error;
        t.diagnostic(`${source}: skipped: ${reason}`);
        t.skip(reason);
        return;
      }
      const plan = await buildPlan(config);
      try {
        const rewrite = (text: string): string => text.split(REPO).join('<repo>');
        // The handlers list repeats what the sites hold, as objects to release: leave it out.
        const rest = Object.fromEntries(Object.entries(plan).filter(([key]) => key !== 'handlers'));
        // The config with every default filled in, then what it compiles to.
        const actual = toPlanData({ source, config, plan: rest }, rewrite);
        const goldenFile = join(HERE, `${name}.golden.json`);
        if (UPDATE) {
          writeFileSync(goldenFile, await jsonText(actual));
          t.diagnostic(`wrote ${relative(REPO, goldenFile)}`);
          return;
        }
        assert.ok(
          existsSync(goldenFile),
          `no ${relative(REPO, goldenFile)}: run UPDATE_GOLDEN=1 node --import tsx --test ${relative(REPO, fileURLToPath(import.meta.url))} and review it`,
        );
        const expected = JSON.parse(readFileSync(goldenFile, 'utf8')) as PlanData;
        assert.deepEqual(
          actual,
          expected,
          `${source} compiles to a different plan; if that is intended, rerun with UPDATE_GOLDEN=1 and review the diff`,
        );
      } finally {
        await Promise.all(plan.handlers.map((handler) => handler.close()));
      }
    });
  }
});
