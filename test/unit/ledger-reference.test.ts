/**
 * The reference scenario from the specification, with every balance worked out by hand.
 *
 * Product p12: annuity, 12% a year, 12 months, 30/360; penalty 0.0005 a day on overdue principal;
 * liquidated damages 5% of the instalment. Account: 1000000 (10,000.00 USD) disbursed 2026-01-01.
 * Payments: 88849 on 2026-02-01, 100000 on 2026-04-20. Closed every day from 2026-01-01.
 *
 * Schedule (30/360: a month's interest is balance × 1%):
 *   level payment 1000000 × 0.01 / (1 − 1.01^−12) = 88848.79 → 88849
 *   1 due 02-01: interest 10000,                      principal 88849 − 10000 = 78849, balance 921151
 *   2 due 03-01: interest 9211.51 → 9212,             principal 79637,                 balance 841514
 *   3 due 04-01: interest 8415.14 → 8415,             principal 80434,                 balance 761080
 *   4 due 05-01: interest 7610.80 → 7611,             principal 81238
 *   5 due 06-01: interest 6798
 * Interest of a period accrues day by day: round(interest × days elapsed / days in the period).
 * LD = round(0.05 × 88849) = round(4442.45) = 4442 for every instalment (all are 88849).
 */
import { describe, expect, it } from 'vitest';
import { addDays, type BusinessDate } from '../../src/core/index.js';
import {
  balances, closeDay, openAccount, parseProduct, type Account, type AccountState, type DayResult, type Payment,
} from '../../src/ledger/index.js';

const p12 = parseProduct('p12', {
  method: 'annuity',
  annualRate: 0.12,
  termMonths: 12,
  dayCount: '30/360',
  penalty: { dailyRate: 0.0005, base: 'overdue-principal' },
  liquidatedDamages: { percentOfInstalment: 0.05 },
});
const account: Account = { id: 'ref-1', borrowerId: 'b-1', productId: 'p12', currency: 'USD', principal: 1000000, disbursed: '2026-01-01' };
const payments: Payment[] = [
  { key: 'p1', accountId: 'ref-1', date: '2026-02-01', amount: 88849 },
  { key: 'p2', accountId: 'ref-1', date: '2026-04-20', amount: 100000 },
];

const days = new Map<BusinessDate, DayResult>();
let state: AccountState = openAccount(account, p12);
for (let d = '2026-01-01'; d <= '2026-05-02'; d = addDays(d, 1)) {
  const r = closeDay(account, p12, state, d, payments.filter((p) => p.date === d));
  days.set(d, r);
  state = r.state;
}
const at = (d: BusinessDate): DayResult => {
  const r = days.get(d);
  if (!r) throw new Error(`${d} not closed`);
  return r;
};
const inst = (d: BusinessDate, n: number) => {
  const i = at(d).state.instalments[n - 1];
  if (!i) throw new Error(`no instalment ${n}`);
  return i;
};

describe('reference scenario p12', () => {
  it('has the schedule worked out above', () => {
    const s = openAccount(account, p12).instalments;
    expect(s.slice(0, 5).map((i) => [i.due, i.interest, i.principal])).toEqual([
      ['2026-02-01', 10000, 78849], ['2026-03-01', 9212, 79637], ['2026-04-01', 8415, 80434], ['2026-05-01', 7611, 81238], ['2026-06-01', 6798, 82051],
    ]);
  });

  it('2026-01-01: disbursement, nothing accrues', () => {
    expect(at('2026-01-01').events).toEqual([]);
    expect(balances(at('2026-01-01').state)).toEqual({ principal: 1000000, interest: 0, penalty: 0, fees: 0, total: 1000000 });
  });

  it('2026-01-02: one day of interest, 10000 / 31 = 322.58 → 323', () => {
    expect(balances(at('2026-01-02').state)).toEqual({ principal: 1000000, interest: 323, penalty: 0, fees: 0, total: 1000323 });
  });

  it('2026-02-01: instalment 1 is billed and paid exactly', () => {
    expect(at('2026-02-01').events).toEqual([
      { type: 'instalment_due', n: 1, principal: 78849, interest: 10000 },
      { type: 'payment', key: 'p1', amount: 88849, allocation: { fees: 0, penalty: 0, interest: 10000, principal: 78849, credit: 0, prepaid: 0 } },
    ]);
    // period 2 starts today and accrues from tomorrow: principal 1000000 − 78849
    expect(balances(at('2026-02-01').state)).toEqual({ principal: 921151, interest: 0, penalty: 0, fees: 0, total: 921151 });
    expect(at('2026-02-01').state).toMatchObject({ dpd: 0, bucket: 'C', charged: 10000 });
  });

  it('2026-03-01: instalment 2 falls due (9212 interest), DPD still 0 on its due date', () => {
    expect(at('2026-03-01').events).toEqual([{ type: 'instalment_due', n: 2, principal: 79637, interest: 9212 }]);
    expect(balances(at('2026-03-01').state)).toEqual({ principal: 921151, interest: 9212, penalty: 0, fees: 0, total: 930363 });
    expect(at('2026-03-01').state.dpd).toBe(0);
  });

  it('2026-03-02: DPD 1; penalty round(79637 × 0.0005) = round(39.8185) = 40; LD 4442', () => {
    const r = at('2026-03-02');
    expect(r.state).toMatchObject({ dpd: 1, bucket: 'M1', delinquentSince: '2026-03-02' });
    // period 3 (31 days, 8415) day 1: 271.45 → 271
    expect(r.accrual).toEqual({ interest: 271, penalty: 40, fees: 4442 });
    expect(r.events).toEqual([
      { type: 'liquidated_damages', n: 2, amount: 4442 },
      { type: 'bucket_change', from: 'C', to: 'M1', dpd: 1 },
    ]);
    // interest 9212 + 271 = 9483; total 921151 + 9483 + 40 + 4442
    expect(balances(r.state)).toEqual({ principal: 921151, interest: 9483, penalty: 40, fees: 4442, total: 935116 });
    // charged = 10000 + 9212 + 271 + 40 + 4442
    expect(r.state.charged).toBe(23965);
  });

  it('2026-04-01: instalment 3 falls due; DPD 31 (M2); instalment 2 penalty 31 × 40 = 1240', () => {
    const s = at('2026-04-01').state;
    expect(s).toMatchObject({ dpd: 31, bucket: 'M2', delinquentSince: '2026-03-02' });
    expect(at('2026-04-01').events).toEqual([
      { type: 'instalment_due', n: 3, principal: 80434, interest: 8415 },
      { type: 'bucket_change', from: 'M1', to: 'M2', dpd: 31 },
    ]);
    // interest 9212 + 8415 = 17627
    expect(balances(s)).toEqual({ principal: 921151, interest: 17627, penalty: 1240, fees: 4442, total: 944460 });
  });

  it('2026-04-02: two instalments overdue; penalty on 160071 = 80.0355 → 80, split 40/40; LD on instalment 3', () => {
    const r = at('2026-04-02');
    // pro rata floor: 80 × 79637/160071 = 39.80 → 39, 80 × 80434/160071 = 40.20 → 40; the spare 1 goes to the oldest
    expect([inst('2026-04-02', 2).penalty, inst('2026-04-02', 3).penalty]).toEqual([1280, 40]);
    // period 4 (30 days, 7611) day 1: 253.7 → 254
    expect(r.accrual).toEqual({ interest: 254, penalty: 80, fees: 4442 });
    expect(r.events).toEqual([{ type: 'liquidated_damages', n: 3, amount: 4442 }]);
    // interest 17627 + 254 = 17881, penalty 1240 + 80, fees 2 × 4442
    expect(balances(r.state)).toEqual({ principal: 921151, interest: 17881, penalty: 1320, fees: 8884, total: 949236 });
    expect(r.state.dpd).toBe(32);
  });

  it('2026-04-19: DPD 49', () => {
    const s = at('2026-04-19').state;
    expect(s).toMatchObject({ dpd: 49, bucket: 'M2', delinquentSince: '2026-03-02' });
    // penalty: instalment 2 1240 + 18 × 40 = 1960; instalment 3 18 × 40 = 720 (04-02..04-19)
    expect([inst('2026-04-19', 2).penalty, inst('2026-04-19', 3).penalty]).toEqual([1960, 720]);
    // period 4 day 18: 7611 × 18/30 = 4566.6 → 4567; interest 17627 + 4567 = 22194
    expect(balances(s)).toEqual({ principal: 921151, interest: 22194, penalty: 2680, fees: 8884, total: 954909 });
  });

  it('2026-04-20: the payment clears instalment 2 with its charges; DPD 19 from instalment 3', () => {
    const r = at('2026-04-20');
    // instalment 2: fees 4442 + penalty 1960 + interest 9212 + principal 79637 = 95251;
    // the remaining 4749 go to instalment 3: fees 4442, then 307 of its 720 penalty
    expect(r.events).toEqual([
      { type: 'payment', key: 'p2', amount: 100000, allocation: { fees: 8884, penalty: 2267, interest: 9212, principal: 79637, credit: 0, prepaid: 0 } },
      { type: 'bucket_change', from: 'M2', to: 'M1', dpd: 19 },
    ]);
    expect(inst('2026-04-20', 2)).toMatchObject({ paidFees: 4442, paidPenalty: 1960, paidInterest: 9212, paidPrincipal: 79637 });
    // after the payment, penalty on instalment 3 alone: round(80434 × 0.0005) = round(40.217) = 40 → 760, 307 paid
    expect(inst('2026-04-20', 3)).toMatchObject({ penalty: 760, paidPenalty: 307, fees: 4442, paidFees: 4442, paidInterest: 0, paidPrincipal: 0 });
    // period 4 day 19: 4820.3 → 4820 (253 today)
    expect(r.accrual).toEqual({ interest: 253, penalty: 40, fees: 0 });
    // principal 921151 − 79637 = 841514; interest 8415 + 4820 = 13235; penalty 760 − 307 = 453
    expect(balances(r.state)).toEqual({ principal: 841514, interest: 13235, penalty: 453, fees: 0, total: 855202 });
    // instalment 3 (due 04-01) is unpaid: DPD 19, not a cure, and the delinquency start is kept
    expect(r.state).toMatchObject({ dpd: 19, bucket: 'M1', delinquentSince: '2026-03-02' });
  });

  it('2026-05-01 and 05-02: instalment 4 joins the arrears', () => {
    // 05-01: penalty on instalment 3, 11 more days × 40 → 1200 (893 unpaid); interest 8415 + 7611 = 16026
    expect(balances(at('2026-05-01').state)).toEqual({ principal: 841514, interest: 16026, penalty: 893, fees: 0, total: 858433 });
    expect(at('2026-05-01').state).toMatchObject({ dpd: 30, bucket: 'M1' });
    // 05-02: penalty on 80434 + 81238 = 161672 → 80.836 → 81, split 40 (+1 spare) / 40; LD 4442 on instalment 4;
    // period 5 (31 days, 6798) day 1: 219.29 → 219
    const r = at('2026-05-02');
    expect(r.accrual).toEqual({ interest: 219, penalty: 81, fees: 4442 });
    expect([inst('2026-05-02', 3).penalty, inst('2026-05-02', 4).penalty]).toEqual([1241, 40]);
    expect(balances(r.state)).toEqual({ principal: 841514, interest: 16245, penalty: 974, fees: 4442, total: 863175 });
    expect(r.state).toMatchObject({ dpd: 31, bucket: 'M2', delinquentSince: '2026-03-02' });
  });

  it('keeps the books: payments are fully accounted for, charges add up', () => {
    const s = at('2026-05-02').state;
    const paid = s.instalments.reduce((a, i) => a + i.paidFees + i.paidPenalty + i.paidInterest + i.paidPrincipal, 0);
    expect(paid + s.credit).toBe(88849 + 100000);
    const charged = s.instalments.reduce((a, i) => a + i.interestAccrued + i.penalty + i.fees, 0);
    expect(charged).toBe(s.charged);
  });
});
