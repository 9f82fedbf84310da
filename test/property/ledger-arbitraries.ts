/**
 * Random products, accounts, payments and pauses, and a day-by-day simulator for property tests.
 */
import fc from 'fast-check';
import { addDays, daysBetween, fromEpochDay, toEpochDay, type BusinessDate } from '../../src/core/index.js';
import {
  closeDay, COMPONENTS, openAccount, parseProduct, type Account, type AccountState, type Component, type DayResult, type PausePeriod,
  type Payment, type Product, type ProductSpec,
} from '../../src/ledger/index.js';

/** A decimal with `scale` places as a string, so it is exactly what a person would write. */
const decimal = (min: number, max: number, scale: number): fc.Arbitrary<string> =>
  fc.integer({ min, max }).map((n) => {
    const s = String(n).padStart(scale + 1, '0');
    return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  });

export const productSpecArb: fc.Arbitrary<ProductSpec> = fc.record({
  method: fc.constantFrom('annuity', 'equal-principal', 'bullet'),
  // 0 … 60% mostly, sometimes up to 300% (so the cost cap binds on interest too)
  annualRate: fc.oneof({ weight: 4, arbitrary: decimal(0, 6000, 4) }, { weight: 1, arbitrary: decimal(0, 300, 2) }),
  termMonths: fc.integer({ min: 1, max: 18 }),
  dayCount: fc.constantFrom('30/360', 'actual/365'),
  graceDays: fc.integer({ min: 0, max: 15 }),
  penalty: fc.option(
    fc.record({ dailyRate: decimal(0, 1000, 5), base: fc.constantFrom('overdue-principal', 'overdue-amount') }),
    { nil: null },
  ),
  liquidatedDamages: fc.option(
    fc.oneof(
      fc.record({ fixed: fc.integer({ min: 0, max: 20000 }) }),
      fc.record({ percentOfInstalment: decimal(0, 2000, 4) }),
    ),
    { nil: null },
  ),
  costCap: fc.option(decimal(1, 600, 3), { nil: null }),
  overpayment: fc.constantFrom('credit', 'prepay'),
  waterfall: fc.shuffledSubarray([...COMPONENTS] as Component[], { minLength: 4, maxLength: 4 }),
});

export const productArb: fc.Arbitrary<Product> = productSpecArb.map((spec) => parseProduct('prop', spec));

const MIN_DAY = toEpochDay('2020-01-01');
const MAX_DAY = toEpochDay('2030-12-31');
const MONTH_ENDS = ['2024-01-31', '2024-02-29', '2025-01-31', '2025-02-28', '2026-01-30', '2026-03-31', '2027-05-31', '2027-08-31', '2027-12-31'];

export const disbursedArb: fc.Arbitrary<BusinessDate> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: MIN_DAY, max: MAX_DAY }).map(fromEpochDay) },
  { weight: 1, arbitrary: fc.constantFrom(...MONTH_ENDS) },
);

export const principalArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  { weight: 4, arbitrary: fc.integer({ min: 1000, max: 10_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000_000, max: 100_000_000_000 }) },
);

export interface Scenario {
  product: Product;
  account: Account;
  /** first date closed, on or up to 3 days before disbursement */
  start: BusinessDate;
  /** last date closed */
  end: BusinessDate;
  payments: Payment[];
  pauses: PausePeriod[];
}

/** Payments are sized relative to a level instalment: small, about one, or a large lump. */
const paymentShapeArb = fc.record({
  offset: fc.integer({ min: -3, max: 400 }),
  permille: fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 50 }) },
    { weight: 4, arbitrary: fc.integer({ min: 500, max: 1500 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1500, max: 20000 }) },
  ),
});

export const scenarioArb = (maxDays = 400): fc.Arbitrary<Scenario> =>
  fc
    .record({
      product: productArb,
      principal: principalArb,
      disbursed: disbursedArb,
      lead: fc.integer({ min: 0, max: 3 }),
      days: fc.integer({ min: 1, max: maxDays }),
      payments: fc.array(paymentShapeArb, { maxLength: 25 }),
      pauses: fc.array(fc.record({ offset: fc.integer({ min: 0, max: maxDays }), length: fc.integer({ min: 1, max: 60 }) }), { maxLength: 2 }),
    })
    .map(({ product, principal, disbursed, lead, days, payments, pauses }) => {
      const account: Account = { id: 'acc', borrowerId: 'bor', productId: product.id, currency: 'USD', principal, disbursed };
      const start = addDays(disbursed, -lead);
      const end = addDays(start, days - 1);
      const instalment = Math.max(1, Math.ceil(principal / product.termMonths));
      return {
        product,
        account,
        start,
        end,
        payments: payments
          .map((p, i) => ({
            key: `k${i}`,
            accountId: account.id,
            date: addDays(disbursed, p.offset),
            amount: Math.floor((instalment * p.permille) / 1000),
          }))
          .filter((p) => p.date >= start && p.date <= end),
        pauses: pauses.map((p, i) => ({ from: addDays(disbursed, p.offset), until: addDays(disbursed, p.offset + p.length - 1), reason: `pause ${i}` })),
      };
    });

export interface Step {
  date: BusinessDate;
  prev: AccountState;
  payments: Payment[];
  result: DayResult;
}

/** Closes every date of the scenario in order, calling `check` after each. */
export function simulate(s: Scenario, check: (step: Step) => void): AccountState {
  let state: AccountState = { ...openAccount(s.account, s.product), pauses: s.pauses };
  for (let d = s.start; d <= s.end; d = addDays(d, 1)) {
    const payments = s.payments.filter((p) => p.date === d);
    const result = closeDay(s.account, s.product, state, d, payments);
    check({ date: d, prev: state, payments, result });
    state = result.state;
  }
  return state;
}

export const daysSince = (from: BusinessDate, to: BusinessDate): number => Math.max(0, daysBetween(from, to));

/** Runs per property: enough variety, still a few seconds each. */
export const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
