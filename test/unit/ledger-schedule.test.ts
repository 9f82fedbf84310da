import { describe, expect, it } from 'vitest';
import { daysBetween, parseRate } from '../../src/core/index.js';
import {
  annuityPayment, applyPrepayment, dueDates, generateSchedule, parseProduct, periodInterest, type DayCount, type Instalment,
  type RepaymentMethod,
} from '../../src/ledger/index.js';

const product = (method: RepaymentMethod, dayCount: DayCount, annualRate: number | string = 0.12, termMonths = 3) =>
  parseProduct('p', { method, annualRate, termMonths, dayCount });

/** [due, principal, interest] per instalment. */
const rows = (s: Instalment[]) => s.map((i) => [i.due, i.principal, i.interest]);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('annuityPayment', () => {
  it('is the level payment rounded half-up', () => {
    // 1000000 × 0.01 / (1 − 1.01^−12) = 88848.79
    expect(annuityPayment(1000000, 0.12, 12)).toBe(88849);
    expect(annuityPayment(1000000, parseRate(0.12, 'r'), 12)).toBe(88849);
    // 10000 × 0.01 / (1 − 1.01^−3) = 3400.22
    expect(annuityPayment(10000, 0.12, 3)).toBe(3400);
    // one month: principal + one month's interest, 10000 × 1.01
    expect(annuityPayment(10000, 0.12, 1)).toBe(10100);
  });

  it('divides evenly at a zero rate', () => {
    expect(annuityPayment(10000, 0, 3)).toBe(3333);
    expect(annuityPayment(20000, 0, 3)).toBe(6667);
  });

  it('is exact where a rounded double formula is not', () => {
    // exact value 16205979.49996649…: the double formula, cleaned to 12 digits, read 16205979.5 → …980
    expect(annuityPayment(562398213, 0.2599, 65)).toBe(16205979);
    // exact value 8884878867834.17: 12-digit cleaning used to drop the units (…830)
    expect(annuityPayment(100_000_000_000_000, 0.12, 12)).toBe(8884878867834);
  });
});

describe('due dates', () => {
  it('fall monthly on the disbursement day', () => {
    expect(dueDates('2026-01-15', 3)).toEqual(['2026-02-15', '2026-03-15', '2026-04-15']);
    expect(dueDates('2026-11-10', 3)).toEqual(['2026-12-10', '2027-01-10', '2027-02-10']);
  });

  it('clamp to the month end and come back to the 31st', () => {
    expect(dueDates('2026-01-31', 6)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31']);
    expect(dueDates('2028-01-31', 2)).toEqual(['2028-02-29', '2028-03-31']);
    expect(dueDates('2026-01-30', 3)).toEqual(['2026-02-28', '2026-03-30', '2026-04-30']);
    expect(dueDates('2026-01-29', 2)).toEqual(['2026-02-28', '2026-03-29']);
    expect(dueDates('2027-12-29', 3)).toEqual(['2028-01-29', '2028-02-29', '2028-03-29']);
  });

  it('chain period starts to the previous due date', () => {
    const s = generateSchedule(product('annuity', '30/360'), 10000, '2026-01-31');
    expect(s.map((i) => [i.n, i.start, i.due])).toEqual([
      [1, '2026-01-31', '2026-02-28'],
      [2, '2026-02-28', '2026-03-31'],
      [3, '2026-03-31', '2026-04-30'],
    ]);
  });
});

describe('generateSchedule', () => {
  it('MUST: 1000000 over 12 months at 12% annuity 30/360 → 88849 × 11, the 12th absorbs', () => {
    const s = generateSchedule(product('annuity', '30/360', 0.12, 12), 1000000, '2026-01-01');
    expect(s).toHaveLength(12);
    for (const i of s.slice(0, 11)) expect(i.principal + i.interest, `instalment ${i.n}`).toBe(88849);
    expect(sum(s.map((i) => i.principal))).toBe(1000000);
    // interest 1: 1000000 × 1% = 10000, principal 78849, balance 921151
    // interest 2: 9211.51 → 9212, principal 79637, balance 841514
    // interest 3: 8415.14 → 8415, principal 80434
    expect(rows(s).slice(0, 3)).toEqual([['2026-02-01', 78849, 10000], ['2026-03-01', 79637, 9212], ['2026-04-01', 80434, 8415]]);
    // the 12th takes the remaining 87967 plus 879.67 → 880 interest: 88847, not 88849
    expect(rows(s)[11]).toEqual(['2027-01-01', 87967, 880]);
    for (const i of s) {
      expect(i).toMatchObject({ interestAccrued: 0, penalty: 0, fees: 0, paidPrincipal: 0, paidInterest: 0, paidPenalty: 0, paidFees: 0, ldCharged: false });
    }
  });

  // 10000 (100.00) at 12% over 3 months, disbursed 2026-01-01 (periods of 31, 28 and 31 days)
  it('annuity 30/360', () => {
    // level 3400; i1 = 100, p1 = 3300, bal 6700; i2 = 67, p2 = 3333, bal 3367; i3 = 33.67 → 34, p3 = 3367 (3401)
    expect(rows(generateSchedule(product('annuity', '30/360'), 10000, '2026-01-01'))).toEqual([
      ['2026-02-01', 3300, 100], ['2026-03-01', 3333, 67], ['2026-04-01', 3367, 34],
    ]);
  });

  it('annuity actual/365', () => {
    // level 3400; i1 = 10000 × 0.12 × 31/365 = 101.92 → 102, p1 = 3298, bal 6702
    // i2 = 6702 × 0.12 × 28/365 = 61.70 → 62, p2 = 3338, bal 3364
    // i3 = 3364 × 0.12 × 31/365 = 34.29 → 34, p3 = 3364
    expect(rows(generateSchedule(product('annuity', 'actual/365'), 10000, '2026-01-01'))).toEqual([
      ['2026-02-01', 3298, 102], ['2026-03-01', 3338, 62], ['2026-04-01', 3364, 34],
    ]);
  });

  it('equal-principal 30/360', () => {
    // part 3333.33 → 3333; i1 = 100, bal 6667; i2 = 66.67 → 67, bal 3334; i3 = 33.34 → 33, p3 = 3334
    expect(rows(generateSchedule(product('equal-principal', '30/360'), 10000, '2026-01-01'))).toEqual([
      ['2026-02-01', 3333, 100], ['2026-03-01', 3333, 67], ['2026-04-01', 3334, 33],
    ]);
  });

  it('equal-principal actual/365', () => {
    // i1 = 102 (as above); i2 = 6667 × 0.12 × 28/365 = 61.37 → 61; i3 = 3334 × 0.12 × 31/365 = 33.98 → 34
    expect(rows(generateSchedule(product('equal-principal', 'actual/365'), 10000, '2026-01-01'))).toEqual([
      ['2026-02-01', 3333, 102], ['2026-03-01', 3333, 61], ['2026-04-01', 3334, 34],
    ]);
  });

  it('equal-principal: the last instalment absorbs rounding in either direction', () => {
    // 20000 / 3 = 6666.67 → 6667, 6667, and the last only 6666
    expect(generateSchedule(product('equal-principal', '30/360', 0), 20000, '2026-01-01').map((i) => i.principal)).toEqual([6667, 6667, 6666]);
  });

  it('bullet 30/360', () => {
    expect(rows(generateSchedule(product('bullet', '30/360'), 10000, '2026-01-01'))).toEqual([
      ['2026-02-01', 0, 100], ['2026-03-01', 0, 100], ['2026-04-01', 10000, 100],
    ]);
  });

  it('bullet actual/365', () => {
    // 10000 × 0.12 × 31/365 = 101.92 → 102; × 28/365 = 92.05 → 92
    expect(rows(generateSchedule(product('bullet', 'actual/365'), 10000, '2026-01-01'))).toEqual([
      ['2026-02-01', 0, 102], ['2026-03-01', 0, 92], ['2026-04-01', 10000, 102],
    ]);
  });

  it('rounds period interest half-up', () => {
    // 12350 × 1% = 123.5 → 124
    expect(generateSchedule(product('bullet', '30/360'), 12350, '2026-01-01').map((i) => i.interest)).toEqual([124, 124, 124]);
    // 12349 × 1% = 123.49 → 123
    expect(generateSchedule(product('bullet', '30/360'), 12349, '2026-01-01').map((i) => i.interest)).toEqual([123, 123, 123]);
  });

  it('30/360 charges a full month even for a short or long first period', () => {
    // disbursed Jan 31: the first period is 28 actual days but one 30/360 month
    expect(generateSchedule(product('bullet', '30/360'), 10000, '2026-01-31').map((i) => i.interest)).toEqual([100, 100, 100]);
    // actual/365 follows the days: 28, 31, 30
    expect(generateSchedule(product('bullet', 'actual/365'), 10000, '2026-01-31').map((i) => i.interest)).toEqual([92, 102, 99]);
  });

  it('has no interest at a zero rate', () => {
    const s = generateSchedule(product('annuity', '30/360', 0), 10000, '2026-01-01');
    expect(rows(s)).toEqual([['2026-02-01', 3333, 0], ['2026-03-01', 3333, 0], ['2026-04-01', 3334, 0]]);
  });

  it('holds its invariants for every method, day count and a range of sizes', () => {
    for (const method of ['annuity', 'equal-principal', 'bullet'] as const) {
      for (const dayCount of ['30/360', 'actual/365'] as const) {
        for (const [principal, rate, term, disbursed] of [
          [1, '0.12', 12, '2026-01-31'], [99, '0.5', 7, '2024-02-29'], [1000000, '0.12', 12, '2026-01-01'],
          [123456789, '0.0799', 60, '2025-08-31'], [50000, '3', 24, '2026-03-30'], [7, '0', 5, '2026-05-05'],
        ] as const) {
          const p = product(method, dayCount, rate, term);
          const s = generateSchedule(p, principal, disbursed);
          const label = `${method} ${dayCount} ${principal} ${rate} ${term}`;
          expect(s, label).toHaveLength(term);
          expect(sum(s.map((i) => i.principal)), label).toBe(principal);
          let balance = principal;
          for (const i of s) {
            expect(i.principal, label).toBeGreaterThanOrEqual(0);
            expect(i.interest, label).toBe(periodInterest(p, balance, i.start, i.due));
            expect(Number.isSafeInteger(i.interest), label).toBe(true);
            balance -= i.principal;
          }
          if (method === 'annuity' && rate !== '0') {
            const level = annuityPayment(principal, p.annualRate, term);
            for (const i of s.slice(0, -1)) {
              // every instalment but the last is the level payment, unless interest alone exceeds it
              if (i.interest <= level) expect(i.principal + i.interest, label).toBe(level);
            }
          }
          if (method === 'bullet') expect(s.slice(0, -1).every((i) => i.principal === 0), label).toBe(true);
        }
      }
    }
  });
});

describe('periodInterest', () => {
  it('30/360 is balance × rate / 12, actual/365 follows the days', () => {
    const p360 = product('bullet', '30/360');
    const p365 = product('bullet', 'actual/365');
    expect(periodInterest(p360, 1000000, '2026-02-01', '2026-03-01')).toBe(10000);
    expect(periodInterest(p365, 1000000, '2026-02-01', '2026-03-01')).toBe(9205); // × 28/365 = 9205.48
    expect(periodInterest(p365, 1000000, '2024-02-01', '2024-03-01')).toBe(9534); // × 29/365 = 9534.25
    expect(periodInterest(p360, 0, '2026-02-01', '2026-03-01')).toBe(0);
    expect(periodInterest(p360, -5, '2026-02-01', '2026-03-01')).toBe(0);
    expect(daysBetween('2024-02-01', '2024-03-01')).toBe(29);
  });
});

describe('applyPrepayment', () => {
  // equal-principal 300000 at 12% 30/360: 100000 + 3000, 100000 + 2000, 100000 + 1000
  const ep = parseProduct('ep', { method: 'equal-principal', annualRate: 0.12, termMonths: 3 });

  it('takes principal from the last instalments and re-computes interest of periods not yet started', () => {
    const s = generateSchedule(ep, 300000, '2026-01-01');
    expect(rows(s)).toEqual([['2026-02-01', 100000, 3000], ['2026-03-01', 100000, 2000], ['2026-04-01', 100000, 1000]]);
    // on 02-01 (instalment 1 due): 150000 prepaid → instalment 3 fully, instalment 2 by 50000
    expect(applyPrepayment(ep, s, 150000, '2026-02-01')).toBe(150000);
    expect(s.map((i) => i.paidPrincipal)).toEqual([0, 50000, 100000]);
    // period 2 now starts with 50000 outstanding → 500; period 3 with 0 → 0; period 1 has run already
    expect(s.map((i) => i.interest)).toEqual([3000, 500, 0]);
  });

  it('stops at instalments already due and returns what it used', () => {
    const s = generateSchedule(ep, 300000, '2026-01-01');
    expect(applyPrepayment(ep, s, 500000, '2026-03-01')).toBe(100000);
    expect(s.map((i) => i.paidPrincipal)).toEqual([0, 0, 100000]);
    expect(s.map((i) => i.interest)).toEqual([3000, 2000, 0]);
  });

  it('keeps the interest of a period in progress', () => {
    const s = generateSchedule(ep, 300000, '2026-01-01');
    applyPrepayment(ep, s, 100000, '2026-02-15');
    expect(s.map((i) => i.interest)).toEqual([3000, 2000, 0]);
  });

  it('a payoff freezes the period in progress at what has accrued', () => {
    const s = generateSchedule(ep, 300000, '2026-01-01');
    Object.assign(s[0] as Instalment, { interestAccrued: 3000, paidInterest: 3000, paidPrincipal: 100000 });
    (s[1] as Instalment).interestAccrued = 1000;
    expect(applyPrepayment(ep, s, 250000, '2026-02-15')).toBe(200000);
    expect(s.map((i) => i.interest)).toEqual([3000, 1000, 0]);
    // a partial prepayment leaves the period in progress alone
    const t = generateSchedule(ep, 300000, '2026-01-01');
    (t[1] as Instalment).interestAccrued = 1000;
    applyPrepayment(ep, t, 199999, '2026-02-15');
    expect(t.map((i) => i.interest)).toEqual([3000, 2000, 0]);
  });

  it('never lowers interest below what was accrued or paid', () => {
    const s = generateSchedule(ep, 300000, '2026-01-01');
    (s[2] as Instalment).interestAccrued = 400;
    applyPrepayment(ep, s, 100000, '2026-02-01');
    expect((s[2] as Instalment).interest).toBe(400);
  });
});
