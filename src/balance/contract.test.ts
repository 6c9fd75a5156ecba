// The contract every balancing strategy passes, then what each one promises on top (run as one table).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BALANCE_NAMES, type BalanceName, type BalanceTarget } from './balancer.js';
import { createBalancer } from './create-balancer.js';
import { RandomBalancer } from './random.js';

interface Target extends BalanceTarget {
  active: number;
}

function targets(count: number, weights: readonly number[] = []): Target[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `10.0.0.${i + 1}:80`,
    weight: weights[i] ?? 1,
    active: 0,
  }));
}

/** How many times each id was picked over `picks` picks, keys "client-0".."client-n". */
function spread(name: BalanceName, list: readonly Target[], picks: number): Map<string, number> {
  const balancer = createBalancer(name);
  const counts = new Map<string, number>(list.map((t) => [t.id, 0]));
  for (let i = 0; i < picks; i++) {
    const picked = balancer.pick(list, `client-${i}`);
    assert.ok(picked !== undefined);
    counts.set(picked.id, (counts.get(picked.id) ?? 0) + 1);
  }
  return counts;
}

for (const name of BALANCE_NAMES) {
  describe(`balancer contract: ${name}`, () => {
    it('picks nothing from an empty list', () => {
      assert.equal(createBalancer(name).pick<Target>([], 'k'), undefined);
    });

    it('picks the only target', () => {
      const [only] = targets(1);
      assert.equal(createBalancer(name).pick([only as Target], 'k'), only);
    });

    it('always picks a member of the list it was given, even as the list changes', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              size: fc.integer({ min: 1, max: 6 }),
              key: fc.string(),
              weights: fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 6 }),
              active: fc.array(fc.nat(20), { maxLength: 6 }),
            }),
            { minLength: 1, maxLength: 30 },
          ),
          (steps) => {
            const balancer = createBalancer(name);
            for (const step of steps) {
              const list = targets(step.size, step.weights);
              list.forEach((t, i) => (t.active = step.active[i] ?? 0));
              const picked = balancer.pick(list, step.key);
              assert.ok(picked !== undefined && list.includes(picked));
            }
          },
        ),
      );
    });
  });
}

describe('what each strategy promises', () => {
  it('round-robin: each target in turn', () => {
    const list = targets(3);
    const balancer = createBalancer('round-robin');
    const order = Array.from({ length: 6 }, () => balancer.pick(list, '')?.id);
    assert.deepEqual(
      order,
      [...list, ...list].map((t) => t.id),
    );
  });

  it('weighted: shares follow weights, smoothly interleaved', () => {
    const list = targets(3, [5, 1, 1]);
    const balancer = createBalancer('weighted');
    const order = Array.from({ length: 7 }, () => balancer.pick(list, '')?.id.slice(7, 8));
    assert.deepEqual(order, ['1', '1', '2', '1', '3', '1', '1']);
    const counts = spread('weighted', targets(3, [3, 2, 1]), 600);
    assert.deepEqual([...counts.values()], [300, 200, 100]);
  });

  it('least-conn: the least busy target, weight-adjusted; ties shared', () => {
    const [a, b, c] = targets(3) as [Target, Target, Target];
    a.active = 4;
    b.active = 1;
    c.active = 3;
    assert.equal(createBalancer('least-conn').pick([a, b, c], '')?.id, b.id);
    const [heavy, light] = targets(2, [4, 1]) as [Target, Target];
    heavy.active = 3; // 3/4 per unit of weight beats 1/1
    light.active = 1;
    assert.equal(createBalancer('least-conn').pick([heavy, light], '')?.id, heavy.id);
    const counts = spread('least-conn', targets(3), 300);
    assert.deepEqual([...counts.values()], [100, 100, 100]);
  });

  for (const name of ['ip-hash', 'header-hash'] as const) {
    it(`${name}: a key sticks to its target, and keeps it when another target leaves`, () => {
      const list = targets(5);
      const balancer = createBalancer(name);
      for (let i = 0; i < 200; i++) {
        const key = `192.0.2.${i}`;
        const first = balancer.pick(list, key);
        assert.equal(balancer.pick(list, key), first);
        const without = list.filter((t) => t !== first && t !== list[(i + 1) % 5]);
        const others = list.filter((t) => t !== list[(i + 1) % 5]);
        if (first !== list[(i + 1) % 5]) assert.equal(balancer.pick(others, key), first);
        assert.ok(without.includes(balancer.pick(without, key) as Target));
      }
    });

    it(`${name}: spreads many keys over all targets, in proportion to weight`, () => {
      const counts = spread(name, targets(3, [2, 1, 1]), 8000);
      const [a, b, c] = [...counts.values()] as [number, number, number];
      assert.ok(Math.abs(a / 8000 - 0.5) < 0.05, `share of the weight-2 target: ${a / 8000}`);
      assert.ok(Math.abs(b / 8000 - 0.25) < 0.05 && Math.abs(c / 8000 - 0.25) < 0.05);
    });
  }

  it('random: shares follow weights', () => {
    let seed = 42;
    // A small LCG so the test is repeatable.
    const random = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    const balancer = new RandomBalancer(random);
    const list = targets(2, [3, 1]);
    let first = 0;
    for (let i = 0; i < 4000; i++) if (balancer.pick(list, '') === list[0]) first++;
    assert.ok(Math.abs(first / 4000 - 0.75) < 0.04, `share ${first / 4000}`);
  });

  it('first: always the first available target', () => {
    const list = targets(3);
    const balancer = createBalancer('first');
    for (let i = 0; i < 5; i++) assert.equal(balancer.pick(list, `${i}`), list[0]);
    assert.equal(balancer.pick(list.slice(1), ''), list[1]);
  });
});
