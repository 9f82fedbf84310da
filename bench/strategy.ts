/**
 * `npm run bench -- strategy [--facts N]`: evaluations/s of strategies/default.yaml (compiled once)
 * over N synthetic fact objects, against a hand-written JS predicate of the same ladder in the same
 * run, plus cel-js itself on expressions parsed once (BigInt facts) on a sample.
 */
import { readFileSync } from 'node:fs';
import { emptyFacts, evaluate, loadStrategy, NEVER_DAYS, type Facts } from '../src/strategy/index.js';

/** The default ladder written by hand: the baseline (and the oracle of test/unit/strategy-ladder-equivalence). */
export function handWrittenDefault(f: Facts): string {
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

/** A spread of fact objects: every stage of the default ladder is reached. */
export function syntheticFacts(n: number): Facts[] {
  const facts: Facts[] = [];
  for (let i = 0; i < n; i++) {
    const f = emptyFacts({ dpd: i % 200 });
    f.contact.daysSinceRightPartyContact = i % 3 === 0 ? NEVER_DAYS : i % 17;
    f.balance.total = (i * 7919) % 300000;
    f.promises.open = i % 11 === 0 ? 1 : 0;
    f.flags.paused = i % 97 === 0;
    facts.push(f);
  }
  return facts;
}

export function benchStrategy(o: { facts: string }): void {
  const n = Number(o.facts);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--facts must be a whole number ≥ 1, got "${o.facts}"`);
  const s = loadStrategy(readFileSync('strategies/default.yaml', 'utf8'), 'strategies/default.yaml');
  const facts = syntheticFacts(n);
  const ctx = { date: '2026-03-10', accountId: 'L-1', variant: null };
  const rate = (fn: () => void): number => {
    fn(); // warm-up
    const t = performance.now();
    fn();
    return n / ((performance.now() - t) / 1000);
  };
  let sink = 0;
  const hand = rate(() => {
    for (const f of facts) if (handWrittenDefault(f) !== 'current') sink++;
  });
  const stages = rate(() => {
    for (const f of facts) {
      for (const st of s.base.stages) {
        if (st.when.run(f) === true) {
          sink++;
          break;
        }
      }
    }
  });
  const full = rate(() => {
    for (const f of facts) sink += evaluate(s, f, ctx).tasks.length;
  });
  const sample = facts.slice(0, Math.min(n, 20_000));
  const parsed = s.base.stages.map((st) => s.base.env.cel.parse(st.whenSource));
  const params = { legalMinBalance: 50000n, unreachableDays: 10n };
  const big = sample.map((f) => ({ ...(JSON.parse(JSON.stringify(f), (_k, v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v)) as object), params }));
  const t = performance.now();
  for (const a of big) for (const p of parsed) if (p(a) === true) break;
  const cel = big.length / ((performance.now() - t) / 1000);
  const fmt = (x: number): string => `${(x / 1e6).toFixed(2)}M/s`;
  process.stdout.write(
    `strategy: default.yaml over ${n.toLocaleString('en-US')} fact objects\n`
    + `  baseline (hand-written JS ladder): ${fmt(hand)}\n`
    + `  stage selection (compiled CEL):    ${fmt(stages)}  ratio ${(stages / hand).toFixed(2)}\n`
    + `  evaluate with tasks:               ${fmt(full)}  ratio ${(full / hand).toFixed(2)}\n`
    + `  cel-js interpreter (parsed once):  ${fmt(cel)}  ratio ${(cel / hand).toFixed(3)} (on ${big.length.toLocaleString('en-US')})\n`,
  );
  if (sink < 0) process.stdout.write('');
}
