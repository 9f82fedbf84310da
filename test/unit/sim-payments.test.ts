import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../src/core/index.js';
import type { Payment, Product } from '../../src/ledger/index.js';
import { generatePortfolio, paymentPlan, paymentsFor, simulateLoan, syntheticState } from '../../src/sim/index.js';
import type { SimLoan } from '../../src/sim/index.js';

const ASOF = '2026-06-30';
const portfolio = generatePortfolio({ count: 1_500, seed: 9, asOf: ASOF, historyDays: 60 });
const productOf = (l: SimLoan): Product => {
  const p = portfolio.products[l.account.productId];
  if (!p) throw new Error(`no product ${l.account.productId}`);
  return p;
};

describe('paymentPlan / paymentsFor', () => {
  it('returns sorted, uniquely and stably keyed, positive payments after disbursement', () => {
    for (const loan of portfolio.loans) {
      const plan = paymentPlan(loan, productOf(loan));
      const keys = new Set<string>();
      let prev = loan.account.disbursed;
      for (const p of plan) {
        expect(p.accountId).toBe(loan.account.id);
        expect(p.key).toBe(`${loan.account.id}:${p.date}:sim`);
        expect(p.date > prev).toBe(true);
        expect(Number.isSafeInteger(p.amount) && p.amount > 0).toBe(true);
        keys.add(p.key);
        prev = p.date;
      }
      expect(keys.size).toBe(plan.length);
      expect(paymentPlan(loan, productOf(loan))).toEqual(plan);
    }
  });

  it('is a function of the loan: any window is a slice of the whole plan', () => {
    for (const loan of portfolio.loans.slice(0, 300)) {
      const product = productOf(loan);
      const plan = paymentPlan(loan, product);
      const d0 = loan.account.disbursed;
      for (const [a, b] of [[0, 30], [25, 95], [40, 41], [100, 400], [-10, 5], [200, 199]] as const) {
        const from = addDays(d0, a);
        const until = addDays(d0, b);
        expect(paymentsFor(loan, product, from, until)).toEqual(plan.filter((p) => p.date >= from && p.date <= until));
      }
    }
  });

  it('day-by-day windows add up to the whole history (as the demo generates them)', () => {
    for (const loan of portfolio.loans.slice(0, 40)) {
      const product = productOf(loan);
      const days: Payment[] = [];
      const from = addDays(loan.account.disbursed, 20);
      const until = addDays(from, 120);
      for (let d = from; d <= until; d = addDays(d, 1)) days.push(...paymentsFor(loan, product, d, d));
      expect(days).toEqual(paymentsFor(loan, product, from, until));
    }
  });

  it('agrees with simulateLoan', () => {
    for (const loan of portfolio.loans.slice(0, 200)) {
      const product = productOf(loan);
      expect(simulateLoan(loan, product, ASOF).payments).toEqual(paymentsFor(loan, product, loan.account.disbursed, ASOF));
    }
  });

  it('follows the archetypes', () => {
    let maturePrompt = 0;
    let lateSeen = 0;
    for (const loan of portfolio.loans) {
      const product = productOf(loan);
      const plan = paymentPlan(loan, product);
      const b = loan.behaviour;
      const paid = plan.reduce((s, p) => s + p.amount, 0);
      const last = plan[plan.length - 1];
      if (b.archetype === 'prompt' || b.archetype === 'late-payer' || b.archetype === 'defaulter-cures') {
        // pays the loan off in full, and the account closes
        expect(paid).toBeGreaterThan(loan.account.principal);
        expect(last).toBeDefined();
        if (last) {
          // an early last payment waits as credit until the final due date
          const end = simulateLoan(loan, product, loan.account.disbursed).state.instalments.at(-1)?.due ?? last.date;
          expect(simulateLoan(loan, product, last.date > end ? last.date : end).state.status).toBe('closed');
        }
        expect(plan.length).toBeLessThanOrEqual(product.termMonths);
      }
      if (b.archetype === 'prompt' && b.slipRate === 0) {
        // exactly the scheduled amounts, never after the due date: the account is never delinquent
        const state = syntheticState(loan, product, ASOF);
        expect(state.dpd).toBe(0);
        if (state.status === 'closed') maturePrompt++;
      }
      if (b.archetype === 'late-payer' && plan[0]) {
        const first = simulateLoan(loan, product, plan[0].date).state.instalments[0];
        if (first && daysBetween(first.due, plan[0].date) > 0) lateSeen++;
      }
      if (b.archetype === 'defaulter') {
        expect(plan.length).toBeLessThanOrEqual(b.stopAfter + b.tokenPayments);
        const missed = simulateLoan(loan, product, loan.account.disbursed).state.instalments[b.stopAfter];
        if (missed && product.method !== 'bullet') {
          // never pays the instalment it stopped at: delinquent for good
          expect(syntheticState(loan, product, addDays(missed.due, 61)).dpd).toBeGreaterThan(0);
          expect(syntheticState(loan, product, addDays(missed.due, 400)).dpd).toBeGreaterThan(300);
        }
      }
      if (b.archetype === 'partial' && plan.length > 1 && product.method !== 'bullet') {
        // the same amount every month, except the final one
        const amounts = new Set(plan.slice(0, -1).map((p) => p.amount));
        expect(amounts.size).toBe(1);
      }
    }
    expect(maturePrompt).toBeGreaterThan(50);
    expect(lateSeen).toBeGreaterThan(50);
  });
});
