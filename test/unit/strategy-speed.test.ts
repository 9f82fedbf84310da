/**
 * Measures (does not assert) evaluations/s of the default strategy over 100k fact objects:
 * compiled JS (what evaluate uses), cel-js itself on BigInt copies, and a hand-written predicate.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { emptyFacts, evaluate, evaluateWithCel, loadStrategy, NEVER_DAYS } from '../../src/strategy/index.js';
import type { Facts } from '../../src/strategy/index.js';

const N = 100_000;

function handWritten(f: Facts): string {
  if (f.flags.paused || f.flags.disputed || f.flags.cease || f.flags.deceased || f.flags.bankrupt) return 'paused';
  if (f.dpd >= 180 || f.legal.uncollectable) return 'bad_debt';
  if (f.plan.active) return 'in_plan';
  if (f.plan.hardshipOpen) return 'negotiating';
  if (f.dpd >= 90 && f.balance.total >= 50000 && f.visits.reached === 0) return 'legal';
  if (f.promises.open > 0) return 'promised';
  if (f.dpd >= 45 && (f.contact.daysSinceRightPartyContact >= 10 || f.contact.borrower.refusals30d > 0)) return 'field_visit';
  if (f.dpd >= 15 && f.contact.daysSinceRightPartyContact >= 10) return 'contact_persons';
  if (f.dpd >= 4 || (f.dpd >= 1 && f.promises.brokenPromiseDays <= 30)) return 'intensified';
  if (f.dpd >= 1) return 'reminder';
  return 'current';
}

it('measures evaluation speed of the default strategy', () => {
  const s = loadStrategy(readFileSync(new URL('../../strategies/default.yaml', import.meta.url), 'utf8'), 'default.yaml');
  const facts: Facts[] = [];
  for (let i = 0; i < N; i++) {
    const f = emptyFacts({ dpd: i % 200 });
    f.contact.daysSinceRightPartyContact = i % 3 === 0 ? NEVER_DAYS : i % 17;
    f.balance.total = (i * 7919) % 300000;
    f.promises.open = i % 11 === 0 ? 1 : 0;
    f.flags.paused = i % 97 === 0;
    facts.push(f);
  }
  const ctx = { date: '2026-03-10', accountId: 'L-1', variant: null };
  const time = (fn: () => void): number => {
    fn();
    const t = performance.now();
    fn();
    return N / ((performance.now() - t) / 1000);
  };
  let stagesOnly = 0;
  const js = time(() => {
    for (const f of facts) for (const st of s.base.stages) if (st.when.run(f) === true) { stagesOnly++; break; }
  });
  const full = time(() => {
    for (const f of facts) evaluate(s, f, ctx);
  });
  let h = 0;
  const hand = time(() => {
    for (const f of facts) if (handWritten(f) !== 'current') h++;
  });
  const sub = facts.slice(0, 10_000);
  const t = performance.now();
  for (const f of sub) for (const st of s.base.stages) if (evaluateWithCel(s.base.env, st.whenSource, f) === true) break;
  const cel = sub.length / ((performance.now() - t) / 1000);
  // cel-js on expressions parsed once, facts converted to BigInt ints beforehand (conversion not timed)
  const parsed = s.base.stages.map((st) => s.base.env.cel.parse(st.whenSource));
  const params = { legalMinBalance: 50000n, unreachableDays: 10n };
  const big = sub.map((f) => ({ ...(JSON.parse(JSON.stringify(f), (_k, v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v)) as object), params }));
  const t2 = performance.now();
  for (const a of big) for (const p of parsed) if (p(a) === true) break;
  const celParsed = big.length / ((performance.now() - t2) / 1000);
  for (const f of sub) expect(evaluate(s, f, ctx).stage).toBe(handWritten(f));
  console.log(
    `default strategy, ${N} fact objects: stage only (compiled JS) ${(js / 1e6).toFixed(1)}M/s; ` +
      `evaluate with tasks ${(full / 1e6).toFixed(1)}M/s; hand-written JS ${(hand / 1e6).toFixed(1)}M/s; ` +
      `cel-js parsed once (BigInt facts) ${(celParsed / 1e6).toFixed(2)}M/s; cel-js env.evaluate per call ${(cel / 1e3).toFixed(0)}k/s`,
  );
  expect(stagesOnly + h).toBeGreaterThan(0);
});
