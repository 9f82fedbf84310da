/**
 * The compiled default ladder picks exactly the stage a hand-written predicate of the same ladder
 * picks (the benchmark's baseline), over a spread of facts that reaches every stage.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { evaluate, loadStrategy } from '../../src/strategy/index.js';
import { handWrittenDefault, syntheticFacts } from '../../bench/strategy.js';

it('compiled default.yaml agrees with the hand-written ladder on 20,000 fact sets', () => {
  const s = loadStrategy(readFileSync('strategies/default.yaml', 'utf8'), 'strategies/default.yaml');
  const ctx = { date: '2026-03-10', accountId: 'L-1', variant: null };
  const seen = new Set<string>();
  for (const f of syntheticFacts(20_000)) {
    const stage = evaluate(s, f, ctx).stage;
    expect(stage).toBe(handWrittenDefault(f));
    seen.add(stage);
  }
  expect([...seen].sort()).toEqual(['bad_debt', 'contact_persons', 'current', 'field_visit', 'intensified', 'legal', 'paused', 'promised', 'reminder']);
});
