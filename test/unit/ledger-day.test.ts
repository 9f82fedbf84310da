/**
 * closeDay, one behaviour at a time, on small hand-checkable loans.
 *
 * Most tests use EP: equal-principal, 300000 at 12% 30/360 over 3 months, disbursed 2026-01-01:
 *   1: due 02-01, principal 100000, interest 3000 (period of 31 days)
 *   2: due 03-01, principal 100000, interest 2000 (28 days)
 *   3: due 04-01, principal 100000, interest 1000 (31 days)
 */
import { describe, expect, it } from 'vitest';
import { addDays, DomainError, ValidationError, type BusinessDate } from '../../src/core/index.js';
import {
  balances, capLimit, closeDay, openAccount, overdueAmount, parseBuckets, parseProduct, type Account, type AccountState,
  type DayResult, type LedgerConfig, type LedgerEvent, type PausePeriod, type Payment, type Product, type ProductSpec,
} from '../../src/ledger/index.js';

const EP: ProductSpec = { method: 'equal-principal', annualRate: 0.12, termMonths: 3 };
const product = (extra: Partial<ProductSpec> = {}): Product => parseProduct('p', { ...EP, ...extra });
const account = (principal = 300000, disbursed = '2026-01-01'): Account => ({
  id: 'a1', borrowerId: 'b1', productId: 'p', currency: 'USD', principal, disbursed,
});

interface Run {
  state: AccountState;
  days: Map<BusinessDate, DayResult>;
  at(date: BusinessDate): DayResult;
  events(date: BusinessDate): LedgerEvent[];
}

/** Closes every date from `from` through `through`; payments by date. */
function run(
  acct: Account,
  p: Product,
  through: BusinessDate,
  payments: Record<BusinessDate, number> = {},
  opts: { from?: BusinessDate; state?: AccountState; pauses?: PausePeriod[]; config?: LedgerConfig } = {},
): Run {
  let state = opts.state ?? openAccount(acct, p, opts.config);
  if (opts.pauses) state = { ...state, pauses: opts.pauses };
  const days = new Map<BusinessDate, DayResult>();
  let d = opts.from ?? (state.asOf === null ? acct.disbursed : addDays(state.asOf, 1));
  for (; d <= through; d = addDays(d, 1)) {
    const amount = payments[d];
    const pays: Payment[] = amount === undefined ? [] : [{ key: `pay-${d}`, accountId: acct.id, date: d, amount }];
    const r = closeDay(acct, p, state, d, pays, opts.config);
    days.set(d, r);
    state = r.state;
  }
  const at = (date: BusinessDate): DayResult => {
    const r = days.get(date);
    if (!r) throw new Error(`${date} was not closed`);
    return r;
  };
  return { state, days, at, events: (date) => at(date).events };
}

const inst = (s: AccountState, n: number) => {
  const i = s.instalments[n - 1];
  if (!i) throw new Error(`no instalment ${n}`);
  return i;
};

const payment = (events: LedgerEvent[]) => {
  const e = events.find((x) => x.type === 'payment');
  if (!e || e.type !== 'payment') throw new Error('no payment event');
  return e.allocation;
};

describe('billing and interest accrual', () => {
  it('accrues period interest day by day and bills it on the due date', () => {
    const r = run(account(), product(), '2026-02-02');
    // nothing accrues on the disbursement date
    expect(r.at('2026-01-01')).toEqual({ state: expect.anything(), events: [], accrual: { interest: 0, penalty: 0, fees: 0 } });
    // day 1 of 31: 3000 × 1/31 = 96.77 → 97
    expect(r.at('2026-01-02').accrual.interest).toBe(97);
    expect(inst(r.at('2026-01-02').state, 1).interestAccrued).toBe(97);
    // day 30: 3000 × 30/31 = 2903.23 → 2903
    expect(inst(r.at('2026-01-31').state, 1).interestAccrued).toBe(2903);
    // due date: the rest (97) completes the period; period 2 starts today and accrues from tomorrow
    expect(r.at('2026-02-01').accrual.interest).toBe(97);
    expect(r.events('2026-02-01')).toEqual([{ type: 'instalment_due', n: 1, principal: 100000, interest: 3000 }]);
    expect(balances(r.at('2026-02-01').state)).toEqual({ principal: 300000, interest: 3000, penalty: 0, fees: 0, total: 303000 });
    // 02-02: day 1 of 28 of period 2: 2000/28 = 71.43 → 71
    expect(r.at('2026-02-02').accrual.interest).toBe(71);
    expect(r.state.charged).toBe(3071);
  });

  it('is 0 DPD on the due date itself and 1 the day after', () => {
    const r = run(account(), product(), '2026-02-02');
    expect(r.at('2026-02-01').state.dpd).toBe(0);
    expect(r.at('2026-02-01').state.bucket).toBe('C');
    expect(r.at('2026-02-02').state).toMatchObject({ dpd: 1, bucket: 'M1', delinquentSince: '2026-02-02' });
    expect(r.events('2026-02-02')).toContainEqual({ type: 'bucket_change', from: 'C', to: 'M1', dpd: 1 });
  });
});

describe('payment waterfall', () => {
  // EP with penalty 0.001/day on overdue principal and 500 fixed LD. Nothing paid on 02-01:
  // 02-02 .. 02-04 accrue penalty 100000 × 0.001 = 100 a day (300), and LD 500 on 02-02.
  const p = (waterfall?: ProductSpec['waterfall']) =>
    product({ penalty: { dailyRate: 0.001 }, liquidatedDamages: { fixed: 500 }, ...(waterfall ? { waterfall } : {}) });

  it('pays fees & LD, then penalty, then interest, then principal by default', () => {
    const r = run(account(), p(), '2026-02-05', { '2026-02-05': 4000 });
    expect(r.events('2026-02-02')).toContainEqual({ type: 'liquidated_damages', n: 1, amount: 500 });
    const before = inst(r.at('2026-02-04').state, 1);
    expect([before.fees, before.penalty, before.interestAccrued]).toEqual([500, 300, 3000]);
    // 4000 → fees 500, penalty 300, interest 3000, principal 200
    expect(payment(r.events('2026-02-05'))).toEqual({ fees: 500, penalty: 300, interest: 3000, principal: 200, credit: 0, prepaid: 0 });
    // the payment comes before the day's accrual: penalty on 99800 → 99.8 → 100
    expect(r.at('2026-02-05').accrual.penalty).toBe(100);
    expect(inst(r.state, 1)).toMatchObject({ penalty: 400, paidPenalty: 300, paidFees: 500, paidInterest: 3000, paidPrincipal: 200 });
  });

  it('follows a configured order', () => {
    const r = run(account(), p(['interest', 'principal', 'fees', 'penalty']), '2026-02-05', { '2026-02-05': 4000 });
    expect(payment(r.events('2026-02-05'))).toEqual({ fees: 0, penalty: 0, interest: 3000, principal: 1000, credit: 0, prepaid: 0 });
    // penalty on the reduced principal 99000 × 0.001 = 99
    expect(r.at('2026-02-05').accrual.penalty).toBe(99);

    const r2 = run(account(), p(['principal', 'interest', 'penalty', 'fees']), '2026-02-05', { '2026-02-05': 101000 });
    expect(payment(r2.events('2026-02-05'))).toEqual({ fees: 0, penalty: 0, interest: 1000, principal: 100000, credit: 0, prepaid: 0 });
    expect(r2.at('2026-02-05').accrual.penalty).toBe(0);
  });

  it('pays the oldest instalment in full before the next', () => {
    const r = run(account(), p(), '2026-03-05', { '2026-03-05': 110000 });
    // instalment 1: penalty 02-02..03-01 = 28 × 100 = 2800; from 03-02 the base is 200000 → 200 a day,
    // split pro rata 100/100, so 03-02..03-04 add 300 to each; LD 500 each
    const s = r.at('2026-03-04').state;
    expect([inst(s, 1).penalty, inst(s, 1).fees, inst(s, 2).penalty, inst(s, 2).fees]).toEqual([3100, 500, 300, 500]);
    expect(s).toMatchObject({ dpd: 31, bucket: 'M2' });
    // 110000: instalment 1 takes 500 + 3100 + 3000 + 100000 = 106600; instalment 2 the remaining 3400:
    // fees 500, penalty 300, interest 2000, principal 600
    expect(payment(r.events('2026-03-05'))).toEqual({ fees: 1000, penalty: 3400, interest: 5000, principal: 100600, credit: 0, prepaid: 0 });
    expect(inst(r.state, 2)).toMatchObject({ paidFees: 500, paidPenalty: 300, paidInterest: 2000, paidPrincipal: 600 });
    // instalment 2 (due 03-01) is now the oldest unpaid: DPD 4, no cure, first delinquency kept
    expect(r.state).toMatchObject({ dpd: 4, bucket: 'M1', delinquentSince: '2026-02-02' });
    expect(r.events('2026-03-05')).toContainEqual({ type: 'bucket_change', from: 'M2', to: 'M1', dpd: 4 });
    expect(r.events('2026-03-05').some((e) => e.type === 'cured')).toBe(false);
  });

  it('never pays instalments not yet due (credit mode)', () => {
    const r = run(account(), product(), '2026-01-20', { '2026-01-20': 50000 });
    expect(payment(r.events('2026-01-20'))).toEqual({ fees: 0, penalty: 0, interest: 0, principal: 0, credit: 50000, prepaid: 0 });
    expect(r.state.credit).toBe(50000);
  });
});

describe('overpayment', () => {
  it('credit: holds the excess and applies it when the next instalment falls due', () => {
    const r = run(account(), product(), '2026-03-02', { '2026-02-01': 153000 });
    expect(payment(r.events('2026-02-01'))).toEqual({ fees: 0, penalty: 0, interest: 3000, principal: 100000, credit: 50000, prepaid: 0 });
    expect(r.at('2026-02-15').state.credit).toBe(50000);
    expect(r.events('2026-03-01')).toEqual([
      { type: 'instalment_due', n: 2, principal: 100000, interest: 2000 },
      { type: 'credit_applied', n: 2, amount: 50000 },
    ]);
    expect(inst(r.at('2026-03-01').state, 2)).toMatchObject({ paidInterest: 2000, paidPrincipal: 48000 });
    expect(r.at('2026-03-01').state.credit).toBe(0);
    expect(r.at('2026-03-01').state.dpd).toBe(0);
    // 52000 left unpaid: DPD from the next day
    expect(r.state.dpd).toBe(1);
  });

  it('credit: a credit larger than an instalment carries on to the next', () => {
    const r = run(account(), product(), '2026-04-02', { '2026-02-01': 253000 });
    expect(r.at('2026-02-01').state.credit).toBe(150000);
    expect(r.events('2026-03-01')).toContainEqual({ type: 'credit_applied', n: 2, amount: 102000 });
    expect(r.at('2026-03-01').state.credit).toBe(48000);
    expect(r.events('2026-04-01')).toContainEqual({ type: 'credit_applied', n: 3, amount: 48000 });
    expect(balances(r.state).total).toBe(101000 - 48000);
    expect(r.state.dpd).toBe(1);
  });

  it('credit: payments on or before disbursement wait in the credit balance', () => {
    const acct = account();
    const p = product();
    const r = run(acct, p, '2026-02-01', { '2025-12-31': 5000, '2026-01-01': 98000 }, { from: '2025-12-31' });
    expect(r.events('2025-12-31')).toEqual([
      { type: 'payment', key: 'pay-2025-12-31', amount: 5000, allocation: { fees: 0, penalty: 0, interest: 0, principal: 0, credit: 5000, prepaid: 0 } },
    ]);
    expect(r.at('2026-01-01').state.credit).toBe(103000);
    expect(r.at('2026-01-01').accrual).toEqual({ interest: 0, penalty: 0, fees: 0 });
    expect(r.events('2026-02-01')).toContainEqual({ type: 'credit_applied', n: 1, amount: 103000 });
    expect(r.state.credit).toBe(0);
  });

  it('prepay: the excess prepays principal from the last instalment and re-computes future interest', () => {
    const p = product({ overpayment: 'prepay' });
    const r = run(account(), p, '2026-04-01', { '2026-02-01': 153000, '2026-03-01': 101500, '2026-04-01': 50500 });
    expect(payment(r.events('2026-02-01'))).toEqual({ fees: 0, penalty: 0, interest: 3000, principal: 100000, credit: 0, prepaid: 50000 });
    const s = r.at('2026-02-01').state;
    expect(s.credit).toBe(0);
    expect(s.instalments.map((i) => i.paidPrincipal)).toEqual([100000, 0, 50000]);
    // period 2 starts on 02-01 with 150000 outstanding → 1500; period 3 with 50000 → 500
    expect(s.instalments.map((i) => i.interest)).toEqual([3000, 1500, 500]);
    expect(balances(s).principal).toBe(150000);
    expect(r.events('2026-03-01')).toContainEqual({ type: 'instalment_due', n: 2, principal: 100000, interest: 1500 });
    expect(r.events('2026-04-01')).toContainEqual({ type: 'instalment_due', n: 3, principal: 50000, interest: 500 });
    expect(r.state.status).toBe('closed');
  });

  it('prepay: paying off everything closes the account; what is left over is credit', () => {
    const p = product({ overpayment: 'prepay' });
    const r = run(account(), p, '2026-02-02', { '2026-02-01': 353000 });
    expect(payment(r.events('2026-02-01'))).toEqual({ fees: 0, penalty: 0, interest: 3000, principal: 100000, credit: 50000, prepaid: 200000 });
    expect(r.events('2026-02-01')).toContainEqual({ type: 'closed' });
    expect(r.at('2026-02-01').state).toMatchObject({ status: 'closed', credit: 50000 });
    expect(r.at('2026-02-02').accrual).toEqual({ interest: 0, penalty: 0, fees: 0 });
  });

  it('prepay: paying off mid-period stops interest at what has accrued; the credit settles it when due', () => {
    const p = product({ overpayment: 'prepay', penalty: { dailyRate: 0.001, base: 'overdue-amount' } });
    // 02-15: period 2 (2000 over 28 days) has accrued 2000 × 14/28 = 1000 (929 by 02-14, 71 today);
    // principal 200000 is outstanding: the payoff is 201000
    const r = run(account(), p, '2026-03-05', { '2026-02-01': 103000, '2026-02-15': 201000 });
    expect(balances(r.at('2026-02-14').state)).toMatchObject({ principal: 200000, interest: 929 });
    expect(payment(r.events('2026-02-15'))).toEqual({ fees: 0, penalty: 0, interest: 0, principal: 0, credit: 1000, prepaid: 200000 });
    // the period in progress keeps the 1000 accrued and accrues nothing more on a zero balance
    expect(inst(r.at('2026-02-15').state, 2)).toMatchObject({ interest: 1000, interestAccrued: 1000 });
    expect(r.at('2026-02-16').accrual.interest).toBe(0);
    expect(balances(r.at('2026-02-28').state)).toEqual({ principal: 0, interest: 1000, penalty: 0, fees: 0, total: 1000 });
    // on the due date the credit pays the 1000 and the account closes: never delinquent
    expect(r.events('2026-03-01')).toEqual([
      { type: 'instalment_due', n: 2, principal: 0, interest: 1000 },
      { type: 'credit_applied', n: 2, amount: 1000 },
      { type: 'closed' },
    ]);
    expect(r.state).toMatchObject({ status: 'closed', dpd: 0, credit: 0, delinquentSince: null });
  });
});

describe('penalty interest', () => {
  it('accrues daily on overdue principal, rounded half-up each day', () => {
    const r = run(account(), product({ penalty: { dailyRate: 0.001 } }), '2026-02-04');
    expect(r.at('2026-02-01').accrual.penalty).toBe(0);
    expect(r.at('2026-02-02').accrual.penalty).toBe(100); // 100000 × 0.001
    expect(inst(r.state, 1).penalty).toBe(300);
    // 0.0005 × 100000 = 50; 0.000123 × 100000 = 12.3 → 12; 0.000125 × 100000 = 12.5 → 13
    expect(run(account(), product({ penalty: { dailyRate: 0.0005 } }), '2026-02-02').state.instalments[0]?.penalty).toBe(50);
    expect(run(account(), product({ penalty: { dailyRate: '0.000123' } }), '2026-02-02').state.instalments[0]?.penalty).toBe(12);
    expect(run(account(), product({ penalty: { dailyRate: '0.000125' } }), '2026-02-02').state.instalments[0]?.penalty).toBe(13);
  });

  it('on the overdue amount includes unpaid interest', () => {
    const p = product({ penalty: { dailyRate: 0.001, base: 'overdue-amount' } });
    const r = run(account(), p, '2026-02-03', { '2026-02-03': 3000 });
    expect(r.at('2026-02-02').accrual.penalty).toBe(103); // (100000 + 3000) × 0.001
    // 02-03: penalty 103 is paid first, then 2897 of the interest; 103 interest left → 100103 × 0.001 = 100.1 → 100
    expect(payment(r.events('2026-02-03'))).toMatchObject({ penalty: 103, interest: 2897 });
    expect(r.at('2026-02-03').accrual.penalty).toBe(100);
  });

  it('waits for the grace period; DPD does not', () => {
    const p = product({ graceDays: 3, penalty: { dailyRate: 0.001 }, liquidatedDamages: { fixed: 500 } });
    const r = run(account(), p, '2026-02-06');
    for (const d of ['2026-02-02', '2026-02-03', '2026-02-04']) {
      expect(r.at(d).accrual, d).toEqual({ interest: expect.any(Number), penalty: 0, fees: 0 });
    }
    expect(r.at('2026-02-02').state).toMatchObject({ dpd: 1, bucket: 'M1', delinquentSince: '2026-02-02' });
    // 02-05: DPD 4 > 3 grace days: penalty 100 and LD 500
    expect(r.at('2026-02-05').accrual).toMatchObject({ penalty: 100, fees: 500 });
    expect(r.events('2026-02-05')).toContainEqual({ type: 'liquidated_damages', n: 1, amount: 500 });
    expect(inst(r.state, 1).penalty).toBe(200);
  });

  it('stops when the overdue principal is paid', () => {
    const r = run(account(), product({ penalty: { dailyRate: 0.001 } }), '2026-02-10', { '2026-02-03': 103200 });
    // by 02-02 penalty 100; 02-03's own penalty comes after the payment, so 103200 pays
    // penalty 100 + interest 3000 + principal 100000, and 100 goes to credit
    expect(payment(r.events('2026-02-03'))).toEqual({ fees: 0, penalty: 100, interest: 3000, principal: 100000, credit: 100, prepaid: 0 });
    expect(r.at('2026-02-03').accrual.penalty).toBe(0);
    expect(inst(r.state, 1).penalty).toBe(100);
    expect(r.state).toMatchObject({ dpd: 0, bucket: 'C', delinquentSince: null });
  });
});

describe('liquidated damages', () => {
  it('percent of the instalment, charged once when it passes its grace period', () => {
    const r = run(account(), product({ liquidatedDamages: { percentOfInstalment: 0.05 } }), '2026-02-28', { '2026-02-10': 50000 });
    // 5% × (100000 + 3000) = 5150
    expect(r.events('2026-02-02')).toContainEqual({ type: 'liquidated_damages', n: 1, amount: 5150 });
    const ld = [...r.days.values()].flatMap((d) => d.events).filter((e) => e.type === 'liquidated_damages');
    expect(ld).toHaveLength(1);
    expect(inst(r.state, 1)).toMatchObject({ fees: 5150, paidFees: 5150, ldCharged: true });
    expect(r.state.charged).toBe(3000 + 5150 + inst(r.state, 2).interestAccrued);
  });

  it('fixed amount', () => {
    const r = run(account(), product({ liquidatedDamages: { fixed: 2500 } }), '2026-02-02');
    expect(r.events('2026-02-02')).toContainEqual({ type: 'liquidated_damages', n: 1, amount: 2500 });
    expect(balances(r.state).fees).toBe(2500);
  });

  it('is not charged when the instalment is paid on time', () => {
    const r = run(account(), product({ liquidatedDamages: { percentOfInstalment: 0.05 } }), '2026-03-02', { '2026-02-01': 103000 });
    expect(inst(r.state, 1)).toMatchObject({ fees: 0, ldCharged: false });
    // instalment 2 is missed: 5% × 102000 = 5100
    expect(r.events('2026-03-02')).toContainEqual({ type: 'liquidated_damages', n: 2, amount: 5100 });
  });
});

describe('cost cap', () => {
  // ZP: 300000 at 0% in 3 equal parts, penalty 1% a day, cap 24% a year.
  // limit(days) = floor(300000 × 0.24 × days / 365) = floor(72000 × days / 365)
  const zp = () => parseProduct('zp', { method: 'equal-principal', annualRate: 0, termMonths: 3, penalty: { dailyRate: 0.01 }, costCap: 0.24 });

  it('stops accrual at the limit, says so once, and resumes as the limit grows', () => {
    const acct = account();
    const p = zp();
    const r = run(acct, p, '2026-03-05', { '2026-02-15': 108679 });
    // 02-02 .. 02-08: penalty 1000 a day fits (02-08: limit(38) = 7495, 6000 charged before)
    expect(r.at('2026-02-08').state.charged).toBe(7000);
    expect(r.at('2026-02-08').state.capReached).toBe(false);
    // 02-09: limit(39) = floor(7693.15) = 7693 → 693 of 1000 charged, 307 forgone
    expect(r.at('2026-02-09').accrual.penalty).toBe(693);
    expect(r.events('2026-02-09')).toContainEqual({ type: 'cost_cap_reached', limit: 7693, forgone: 307 });
    expect(r.at('2026-02-09').state).toMatchObject({ charged: 7693, capReached: true });
    // while capped, charges follow the limit exactly and no new event is emitted:
    // limit(40) = 7890.41 → 7890, (41) 8087.67 → 8087, (42) 8284.93 → 8284 (not 8285: the cap is never exceeded),
    // (43) 8482.19 → 8482, (44) 8679.45 → 8679
    const capped: [string, number][] = [['2026-02-10', 7890], ['2026-02-11', 8087], ['2026-02-12', 8284], ['2026-02-13', 8482], ['2026-02-14', 8679]];
    for (const [d, limit] of capped) {
      expect(r.at(d).state.charged, d).toBe(limit);
      expect(capLimit(acct, p, d), d).toBe(limit);
      expect(r.events(d).filter((e) => e.type === 'cost_cap_reached'), d).toEqual([]);
    }
    // 02-15: penalty 8679 and the principal are paid; nothing more to charge → no longer capped
    expect(payment(r.events('2026-02-15'))).toMatchObject({ penalty: 8679, principal: 100000, credit: 0 });
    expect(r.at('2026-02-15').state).toMatchObject({ charged: 8679, capReached: false });
    // instalment 2 is missed: 03-02 limit(60) = 11835, room 3156: 1000 charged; 03-03 (12032) and 03-04 (12230) too
    expect(r.at('2026-03-02').accrual.penalty).toBe(1000);
    expect(r.at('2026-03-04').state.charged).toBe(11679);
    // 03-05: limit(63) = 12427.40 → 12427, room 748: capped again, and said again
    expect(r.at('2026-03-05').accrual.penalty).toBe(748);
    expect(r.events('2026-03-05')).toContainEqual({ type: 'cost_cap_reached', limit: 12427, forgone: 252 });
  });

  it('limits interest too, and never by rounding the limit up', () => {
    // bullet 100000 at 36% 30/360 (3000 a month) under a 24% cap: limit(d) = floor(24000 × d / 365)
    const p = parseProduct('b', { method: 'bullet', annualRate: 0.36, termMonths: 3, costCap: 0.24 });
    const acct = account(100000);
    const r = run(acct, p, '2026-02-01');
    // 01-02: interest wanted 3000/31 = 96.77 → 97; limit(1) = floor(65.75) = 65
    expect(r.at('2026-01-02').accrual.interest).toBe(65);
    expect(r.events('2026-01-02')).toEqual([{ type: 'cost_cap_reached', limit: 65, forgone: 32 }]);
    // 01-03: limit(2) = floor(131.51) = 131 (half-up would be 132)
    expect(r.at('2026-01-03').state.charged).toBe(131);
    // the instalment is billed with what the cap allowed by its due date: limit(31) = floor(2038.36) = 2038
    expect(r.events('2026-02-01')).toContainEqual({ type: 'instalment_due', n: 1, principal: 0, interest: 2038 });
    expect(inst(r.state, 1)).toMatchObject({ interest: 3000, interestAccrued: 2038 });
  });

  it('charges nothing on the disbursement date', () => {
    expect(capLimit(account(), zp(), '2026-01-01')).toBe(0);
    expect(capLimit(account(), product(), '2026-06-01')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('pauses', () => {
  it('freeze DPD while paused and count again after', () => {
    const pauses = [{ from: '2026-02-10', until: '2026-02-20', reason: 'hardship review' }];
    const r = run(account(), product(), '2026-03-01', {}, { pauses });
    expect(r.at('2026-02-09').state.dpd).toBe(8);
    for (let d = '2026-02-10'; d <= '2026-02-20'; d = addDays(d, 1)) expect(r.at(d).state.dpd, d).toBe(8);
    expect(r.at('2026-02-21').state.dpd).toBe(9);
    // 03-01: 28 days since 02-01, 11 of them paused
    expect(r.state.dpd).toBe(17);
    expect(r.state.delinquentSince).toBe('2026-02-02');
  });

  it('hold off delinquency for an instalment that falls due during the pause', () => {
    const pauses = [{ from: '2026-01-25', until: '2026-02-05', reason: 'disaster relief' }];
    const r = run(account(), product(), '2026-02-07', {}, { pauses });
    expect(r.at('2026-02-05').state).toMatchObject({ dpd: 0, bucket: 'C', delinquentSince: null });
    expect(r.at('2026-02-06').state).toMatchObject({ dpd: 1, bucket: 'M1', delinquentSince: '2026-02-06' });
  });

  it('can be added to a running account (as the cycle does)', () => {
    const r1 = run(account(), product(), '2026-02-15');
    expect(r1.state.dpd).toBe(14);
    const paused = { ...r1.state, pauses: [{ from: '2026-02-16', until: '2026-02-28', reason: 'dispute' }] };
    const r2 = run(account(), product(), '2026-03-02', {}, { state: paused });
    expect(r2.at('2026-02-28').state.dpd).toBe(14);
    expect(r2.at('2026-03-01').state.dpd).toBe(15);
    // instalment 1 is still the oldest: 03-02 → 29 days, 13 paused
    expect(r2.state.dpd).toBe(16);
  });
});

describe('cure and history', () => {
  it('paying the arrears cures: DPD 0, cured event, bucket C; earlier states are untouched', () => {
    const p = product({ penalty: { dailyRate: 0.001 } });
    // by 02-09: penalty 8 × 100 = 800; 02-10 pays 100000 + 3000 + 800
    const r = run(account(), p, '2026-03-03', { '2026-02-10': 103800 });
    const before = r.at('2026-02-09').state;
    expect(before).toMatchObject({ dpd: 8, bucket: 'M1', delinquentSince: '2026-02-02' });
    expect(r.events('2026-02-10')).toEqual([
      { type: 'payment', key: 'pay-2026-02-10', amount: 103800, allocation: { fees: 0, penalty: 800, interest: 3000, principal: 100000, credit: 0, prepaid: 0 } },
      { type: 'cured' },
      { type: 'bucket_change', from: 'M1', to: 'C', dpd: 0 },
    ]);
    expect(r.at('2026-02-10').state).toMatchObject({ dpd: 0, bucket: 'C', delinquentSince: null });
    // history is not rewritten: yesterday's state and events are what they were
    expect(before).toMatchObject({ dpd: 8, bucket: 'M1', delinquentSince: '2026-02-02' });
    expect(r.events('2026-02-02')).toContainEqual({ type: 'bucket_change', from: 'C', to: 'M1', dpd: 1 });
    // the penalty charged stays charged (and paid)
    expect(inst(r.state, 1)).toMatchObject({ penalty: 800, paidPenalty: 800 });
    // a new delinquency starts a new delinquent-since date
    expect(r.at('2026-03-02').state).toMatchObject({ dpd: 1, delinquentSince: '2026-03-02' });
    expect(r.state).toMatchObject({ dpd: 2, delinquentSince: '2026-03-02' });
  });

  it('uses configured buckets', () => {
    const config = { buckets: parseBuckets([{ name: 'ok', min: 0, max: 0 }, { name: 'late', min: 1, max: 9 }, { name: 'bad', min: 10 }]) };
    const acct = account();
    const p = product();
    const r = run(acct, p, '2026-02-11', {}, { config });
    expect(openAccount(acct, p, config).bucket).toBe('ok');
    expect(r.events('2026-02-02')).toContainEqual({ type: 'bucket_change', from: 'ok', to: 'late', dpd: 1 });
    expect(r.events('2026-02-11')).toContainEqual({ type: 'bucket_change', from: 'late', to: 'bad', dpd: 10 });
  });
});

describe('closeDay as a transition', () => {
  it('closing the same date again returns the same state and no events', () => {
    const acct = account();
    const p = product({ penalty: { dailyRate: 0.001 } });
    const r = run(acct, p, '2026-02-05');
    const again = closeDay(acct, p, r.state, '2026-02-05', [{ key: 'late', accountId: 'a1', date: '2026-02-05', amount: 999 }]);
    expect(again.state).toBe(r.state);
    expect(again.events).toEqual([]);
    expect(again.accrual).toEqual({ interest: 0, penalty: 0, fees: 0 });
    // an earlier date is a no-op too
    expect(closeDay(acct, p, r.state, '2026-01-15', []).state).toBe(r.state);
  });

  it('does not modify the state it is given', () => {
    const acct = account();
    const p = product({ penalty: { dailyRate: 0.001 }, liquidatedDamages: { fixed: 500 }, overpayment: 'prepay' });
    const r = run(acct, p, '2026-02-09');
    const snapshot = structuredClone(r.state);
    closeDay(acct, p, r.state, '2026-02-10', [{ key: 'k', accountId: 'a1', date: '2026-02-10', amount: 250000 }]);
    expect(r.state).toEqual(snapshot);
  });

  it('refuses to skip a date', () => {
    const acct = account();
    const p = product();
    const r = run(acct, p, '2026-02-01');
    let err: unknown;
    try {
      closeDay(acct, p, r.state, '2026-02-03', []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('cycle.gap');
    expect((err as DomainError).message).toContain('close 2026-02-02 before 2026-02-03');
  });

  it('refuses a first close that would skip days after disbursement', () => {
    const acct = account();
    const p = product();
    const fresh = openAccount(acct, p);
    expect(() => closeDay(acct, p, fresh, '2026-02-05', [])).toThrow(DomainError);
    expect(() => closeDay(acct, p, fresh, '2026-01-03', [])).toThrow(/on or before 2026-01-02/);
    expect(closeDay(acct, p, fresh, '2026-01-02', []).state.asOf).toBe('2026-01-02');
    expect(closeDay(acct, p, fresh, '2025-11-30', []).state.asOf).toBe('2025-11-30');
  });

  it('refuses negative or fractional payment amounts', () => {
    const acct = account();
    const p = product();
    const fresh = openAccount(acct, p);
    const pay = (amount: number): Payment => ({ key: 'k', accountId: 'a1', date: '2026-01-01', amount });
    expect(() => closeDay(acct, p, fresh, '2026-01-01', [pay(100), pay(-100)])).toThrow(ValidationError);
    expect(() => closeDay(acct, p, fresh, '2026-01-01', [pay(1.5)])).toThrow(/payments\[0\]\.amount/);
    expect(closeDay(acct, p, fresh, '2026-01-01', [pay(0)]).state.credit).toBe(0);
  });

  it('applies several payments of a day in order', () => {
    const acct = account();
    const p = product();
    const r = run(acct, p, '2026-01-31');
    const out = closeDay(acct, p, r.state, '2026-02-01', [
      { key: 'a', accountId: 'a1', date: '2026-02-01', amount: 2000 },
      { key: 'b', accountId: 'a1', date: '2026-02-01', amount: 102000 },
    ]);
    expect(out.events.filter((e) => e.type === 'payment').map((e) => e.type === 'payment' && e.allocation)).toEqual([
      { fees: 0, penalty: 0, interest: 2000, principal: 0, credit: 0, prepaid: 0 },
      { fees: 0, penalty: 0, interest: 1000, principal: 100000, credit: 1000, prepaid: 0 },
    ]);
  });
});

describe('closing the account', () => {
  it('closes when everything is paid, then accrues nothing and keeps later payments as credit', () => {
    const acct = account();
    const p = product({ penalty: { dailyRate: 0.001 }, liquidatedDamages: { fixed: 500 } });
    const r = run(acct, p, '2026-04-10', { '2026-02-01': 103000, '2026-03-01': 102000, '2026-04-01': 101000, '2026-04-05': 500 });
    expect(r.at('2026-03-01').state.status).toBe('open');
    expect(r.events('2026-04-01')).toEqual([
      { type: 'instalment_due', n: 3, principal: 100000, interest: 1000 },
      { type: 'payment', key: 'pay-2026-04-01', amount: 101000, allocation: { fees: 0, penalty: 0, interest: 1000, principal: 100000, credit: 0, prepaid: 0 } },
      { type: 'closed' },
    ]);
    expect(r.at('2026-04-01').state.status).toBe('closed');
    expect(balances(r.state)).toEqual({ principal: 0, interest: 0, penalty: 0, fees: 0, total: 0 });
    expect(r.at('2026-04-02')).toMatchObject({ events: [], accrual: { interest: 0, penalty: 0, fees: 0 } });
    expect(r.events('2026-04-05')).toEqual([
      { type: 'payment', key: 'pay-2026-04-05', amount: 500, allocation: { fees: 0, penalty: 0, interest: 0, principal: 0, credit: 500, prepaid: 0 } },
    ]);
    expect(r.state).toMatchObject({ status: 'closed', credit: 500, asOf: '2026-04-10', dpd: 0, charged: 6000 });
  });

  it('closes after late payment of everything, with a cure', () => {
    const r = run(account(), product(), '2026-04-03', { '2026-04-03': 306000 });
    expect(r.events('2026-04-03').map((e) => e.type)).toEqual(['payment', 'cured', 'bucket_change', 'closed']);
  });
});

describe('balances and overdueAmount', () => {
  it('sum what is owed by component and what is past due', () => {
    const p = product({ penalty: { dailyRate: 0.001 }, liquidatedDamages: { fixed: 500 } });
    const r = run(account(), p, '2026-02-03');
    // instalment 1 overdue: 100000 + 3000, penalty 200, LD 500; period 2 interest so far 2000 × 2/28 = 142.86 → 143
    expect(balances(r.state)).toEqual({ principal: 300000, interest: 3143, penalty: 200, fees: 500, total: 303843 });
    expect(overdueAmount(r.state, '2026-02-03')).toBe(103700);
    // on the due date itself the instalment is not yet past due
    expect(overdueAmount(r.at('2026-02-01').state, '2026-02-01')).toBe(0);
  });
});
