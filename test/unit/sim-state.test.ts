import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../src/core/index.js';
import {
  balances, bucketFor, capLimit, closeDay, DEFAULT_BUCKETS, generateSchedule, instalmentOpen, openAccount, parseBuckets, parseProduct,
} from '../../src/ledger/index.js';
import type { AccountState, Payment, Product } from '../../src/ledger/index.js';
import { generatePortfolio, paymentsFor, simSchedule, syntheticState } from '../../src/sim/index.js';
import type { Archetype, SimLoan } from '../../src/sim/index.js';

const ASOF = '2026-06-30';
const portfolio = generatePortfolio({ count: 10_000, seed: 2026, asOf: ASOF, historyDays: 90 });
const productOf = (l: SimLoan): Product => {
  const p = portfolio.products[l.account.productId];
  if (!p) throw new Error(`no product ${l.account.productId}`);
  return p;
};
const states = portfolio.loans.map((l) => syntheticState(l, productOf(l), ASOF));

/** The reference: the ledger's closeDay run on every date from disbursement, with the borrower's payments. */
function replay(loan: SimLoan, product: Product, through: string): AccountState {
  const byDate = new Map<string, Payment[]>();
  for (const p of paymentsFor(loan, product, loan.account.disbursed, through)) byDate.set(p.date, [...(byDate.get(p.date) ?? []), p]);
  let state = openAccount(loan.account, product);
  for (let d = loan.account.disbursed; d <= through; d = addDays(d, 1)) {
    state = closeDay(loan.account, product, state, d, byDate.get(d) ?? []).state;
  }
  return state;
}

/** The ledger's invariants and the consistency of the delinquency fields; returns what is broken. */
function violations(loan: SimLoan, product: Product, s: AccountState, asOf: string): string[] {
  const out: string[] = [];
  const bad = (what: string): void => {
    out.push(`${loan.account.id} (${loan.behaviour.archetype}) at ${asOf}: ${what}`);
  };
  if (s.asOf !== asOf) bad(`asOf ${s.asOf}`);
  if (s.credit < 0) bad('negative credit');
  let charged = 0;
  for (const i of s.instalments) {
    const pairs = [[i.paidPrincipal, i.principal], [i.paidInterest, i.interestAccrued], [i.paidPenalty, i.penalty], [i.paidFees, i.fees]] as const;
    for (const [paid, owed] of pairs) {
      if (!Number.isSafeInteger(paid) || paid < 0 || paid > owed) bad(`instalment ${i.n}: paid ${paid} of ${owed}`);
    }
    if (i.interestAccrued > i.interest) bad(`instalment ${i.n}: accrued beyond the period's interest`);
    if (i.due <= asOf && !product.costCap && i.interestAccrued !== i.interest) bad(`instalment ${i.n}: billed interest not accrued`);
    if (i.start >= asOf && i.interestAccrued !== 0) bad(`instalment ${i.n}: accrued before its period`);
    if (i.fees > 0 && !i.ldCharged) bad(`instalment ${i.n}: fees without LD`);
    charged += i.interestAccrued + i.penalty + i.fees;
  }
  if (s.charged !== charged) bad(`charged ${s.charged} ≠ ${charged}`);
  if (product.costCap && s.charged > capLimit(loan.account, product, asOf)) bad('over the cost cap');
  const oldest = s.instalments.find((i) => i.due < asOf && instalmentOpen(i));
  const dpd = oldest ? daysBetween(oldest.due, asOf) : 0;
  if (s.status === 'open' && s.dpd !== dpd) bad(`dpd ${s.dpd}, oldest open says ${dpd}`);
  if (s.bucket !== bucketFor(s.dpd, DEFAULT_BUCKETS)) bad(`bucket ${s.bucket} for dpd ${s.dpd}`);
  if ((s.dpd === 0) !== (s.delinquentSince === null)) bad(`delinquentSince ${s.delinquentSince} with dpd ${s.dpd}`);
  if (s.delinquentSince !== null && oldest && s.delinquentSince > addDays(oldest.due, 1)) bad('delinquent since after the oldest open instalment fell due');
  if ((s.status === 'closed') !== (balances(s).total === 0)) bad(`status ${s.status} with ${balances(s).total} owed`);
  for (const v of Object.values(balances(s))) if (v < 0) bad('negative balance');
  return out;
}

describe('syntheticState', () => {
  it('uses the ledger schedule', () => {
    for (const l of portfolio.loans.slice(0, 3_000)) {
      const p = productOf(l);
      expect(simSchedule(p, l.account.principal, l.account.disbursed)).toEqual(generateSchedule(p, l.account.principal, l.account.disbursed));
    }
    for (const p of Object.values(portfolio.products)) {
      for (const d of ['2024-01-31', '2024-02-29', '2023-12-30', '2025-08-31']) {
        expect(simSchedule(p, 1_234_567, d)).toEqual(generateSchedule(p, 1_234_567, d));
      }
    }
  });

  it('equals a day-by-day closeDay replay of the same payments, for every archetype and product', () => {
    const perArchetype = new Map<Archetype, number>();
    const sample = portfolio.loans.filter((l) => {
      const n = perArchetype.get(l.behaviour.archetype) ?? 0;
      perArchetype.set(l.behaviour.archetype, n + 1);
      return n < 60;
    });
    // and every account the cost cap is holding back
    const capped = portfolio.loans.filter((_, i) => states[i]?.capReached).slice(0, 25);
    expect(capped.length).toBeGreaterThan(5);
    for (const loan of [...sample, ...capped]) {
      const product = productOf(loan);
      expect(syntheticState(loan, product, ASOF)).toEqual(replay(loan, product, ASOF));
    }
  });

  it('equals the replay at other dates too, including before and on disbursement', () => {
    for (const loan of portfolio.loans.slice(0, 40)) {
      const product = productOf(loan);
      for (const offset of [-3, 0, 1, 31, 95, 200]) {
        const at = addDays(loan.account.disbursed, offset);
        const s = syntheticState(loan, product, at);
        if (offset <= 0) expect(s).toEqual({ ...openAccount(loan.account, product), asOf: at });
        else expect(s).toEqual(replay(loan, product, at));
      }
    }
  });

  it('satisfies the ledger invariants on 10k accounts', () => {
    const broken = portfolio.loans.flatMap((loan, i) => violations(loan, productOf(loan), states[i] as AccountState, ASOF));
    expect(broken).toEqual([]);
  });

  it('lets closeDay continue from it, and continuing equals the synthetic state of the next day', () => {
    const next = addDays(ASOF, 1);
    const broken: string[] = [];
    let differ = 0;
    for (const [i, loan] of portfolio.loans.slice(0, 3_000).entries()) {
      const product = productOf(loan);
      const state = states[i] as AccountState;
      broken.push(...violations(loan, product, closeDay(loan.account, product, state, next, []).state, next));
      const withPayments = closeDay(loan.account, product, state, next, paymentsFor(loan, product, next, next)).state;
      if (!isDeepStrictEqual(withPayments, syntheticState(loan, product, next))) differ++;
    }
    expect(broken).toEqual([]);
    expect(differ).toBe(0);
  });

  it('spreads DPD over the buckets like a real book', () => {
    const count: Record<string, number> = {};
    for (const s of states) {
      const b = s.dpd === 0 ? 'C' : s.dpd <= 30 ? 'M1' : s.dpd <= 60 ? 'M2' : s.dpd <= 90 ? 'M3' : 'M4+';
      count[b] = (count[b] ?? 0) + 1;
    }
    const share = (b: string): number => (count[b] ?? 0) / states.length;
    expect(share('C')).toBeGreaterThan(0.6);
    expect(share('C')).toBeLessThan(0.85);
    expect(share('M1')).toBeGreaterThan(0.04);
    expect(share('M2')).toBeGreaterThan(0.01);
    expect(share('M3')).toBeGreaterThan(0.01);
    expect(share('M4+')).toBeGreaterThan(0.03);
    // prompt payers are current; defaulters mostly are not
    const byArch = (a: Archetype, pred: (s: AccountState) => boolean): number => {
      let n = 0;
      let k = 0;
      portfolio.loans.forEach((l, i) => {
        if (l.behaviour.archetype !== a) return;
        n++;
        if (pred(states[i] as AccountState)) k++;
      });
      return k / n;
    };
    expect(byArch('prompt', (s) => s.dpd === 0)).toBeGreaterThan(0.97);
    expect(byArch('defaulter', (s) => s.dpd > 60)).toBeGreaterThan(0.5);
    expect(byArch('late-payer', (s) => s.dpd > 0 && s.dpd <= 60)).toBeGreaterThan(0.3);
  });

  it('follows custom products (prepay, overdue-amount penalty, no grace, low cap) and bucket tables', () => {
    const products = {
      'prepay-annuity': parseProduct('prepay-annuity', {
        method: 'annuity', annualRate: 0.36, termMonths: 6, dayCount: 'actual/365', graceDays: 0, overpayment: 'prepay',
        penalty: { dailyRate: 0.001, base: 'overdue-amount' }, liquidatedDamages: { fixed: 2500 }, costCap: 0.4,
        waterfall: ['principal', 'interest', 'penalty', 'fees'],
      }),
      'plain-ep': parseProduct('plain-ep', { method: 'equal-principal', annualRate: 0.08, termMonths: 9, graceDays: 10 }),
    };
    const profiles = [
      { productId: 'prepay-annuity', currency: 'EUR', share: 1, principalMin: 500, principalMax: 5_000, step: 10 },
      { productId: 'plain-ep', currency: 'JPY', share: 1, principalMin: 100_000, principalMax: 900_000, step: 1_000 },
    ];
    const config = { buckets: parseBuckets([{ name: 'current', min: 0, max: 0 }, { name: 'early', min: 1, max: 45 }, { name: 'late', min: 46, max: null }]) };
    const p = generatePortfolio({ count: 300, seed: 5, asOf: ASOF, historyDays: 0, products, profiles });
    const buckets = new Set<string>();
    for (const loan of p.loans) {
      const product = p.products[loan.account.productId] as Product;
      const s = syntheticState(loan, product, ASOF, config);
      buckets.add(s.bucket);
      let ref = openAccount(loan.account, product, config);
      const pays = paymentsFor(loan, product, loan.account.disbursed, ASOF);
      for (let d = loan.account.disbursed; d <= ASOF; d = addDays(d, 1)) {
        ref = closeDay(loan.account, product, ref, d, pays.filter((x) => x.date === d), config).state;
      }
      expect(s).toEqual(ref);
    }
    expect(buckets).toEqual(new Set(['current', 'early', 'late']));
  });

  it('rejects a product that is not the loan\'s', () => {
    const loan = portfolio.loans[0] as SimLoan;
    const other = Object.values(portfolio.products).find((p) => p.id !== loan.account.productId) as Product;
    expect(() => syntheticState(loan, other, ASOF)).toThrow(RangeError);
  });

  it('makes 100k accounts and their states (fast path; not timed here)', () => {
    const big = generatePortfolio({ count: 100_000, seed: 1, asOf: ASOF, historyDays: 30 });
    let open = 0;
    for (const l of big.loans) {
      const s = syntheticState(l, big.products[l.account.productId] as Product, ASOF);
      if (s.status === 'open') open++;
    }
    expect(open).toBeGreaterThan(50_000);
  });
});
