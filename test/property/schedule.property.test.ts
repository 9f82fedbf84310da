/**
 * Schedules and products over random inputs.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { daysInMonth, mulDivHalfUp, toYmd } from '../../src/core/index.js';
import { annuityPayment, generateSchedule, parseProduct, periodInterest, productToSpec } from '../../src/ledger/index.js';
import { disbursedArb, principalArb, productArb, productSpecArb } from './ledger-arbitraries.js';

const RUNS = 300;

function fail(msg: string): never {
  throw new Error(msg);
}

describe('schedule properties', () => {
  it('principal sums exactly, amounts are whole and non-negative, the last instalment absorbs rounding', () => {
    fc.assert(
      fc.property(productArb, principalArb, disbursedArb, (p, principal, disbursed) => {
        const s = generateSchedule(p, principal, disbursed);
        if (s.length !== p.termMonths) fail(`${s.length} instalments for ${p.termMonths} months`);
        let balance = principal;
        const level = p.method === 'annuity' ? annuityPayment(principal, p.annualRate, p.termMonths) : 0;
        const part = mulDivHalfUp(principal, 1, p.termMonths);
        s.forEach((i, k) => {
          const last = k === s.length - 1;
          if (!Number.isSafeInteger(i.principal) || i.principal < 0) fail(`instalment ${i.n} principal ${i.principal}`);
          if (i.interest !== periodInterest(p, balance, i.start, i.due)) fail(`instalment ${i.n} interest ${i.interest} on ${balance}`);
          if (last && i.principal !== balance) fail(`the last instalment takes ${i.principal}, ${balance} was left`);
          if (!last) {
            if (p.method === 'bullet' && i.principal !== 0) fail(`bullet instalment ${i.n} repays principal`);
            if (p.method === 'equal-principal' && i.principal !== Math.min(part, balance)) fail(`equal part ${i.principal} ≠ ${part}`);
            if (p.method === 'annuity' && i.interest <= level && i.principal !== Math.min(level - i.interest, balance)) {
              fail(`annuity instalment ${i.n}: ${i.principal} + ${i.interest} ≠ ${level}`);
            }
          }
          balance -= i.principal;
        });
        if (balance !== 0) fail(`${balance} principal left unscheduled`);
      }),
      { numRuns: RUNS },
    );
  });

  it('due dates fall monthly on the disbursement day, clamped to the month end', () => {
    fc.assert(
      fc.property(productArb, disbursedArb, (p, disbursed) => {
        const s = generateSchedule(p, 100000, disbursed);
        const d0 = toYmd(disbursed);
        let prevDue = disbursed;
        s.forEach((i, k) => {
          const due = toYmd(i.due);
          if ((due.y - d0.y) * 12 + (due.m - d0.m) !== k + 1) fail(`instalment ${i.n} due ${i.due} is not ${k + 1} months after ${disbursed}`);
          if (due.d !== Math.min(d0.d, daysInMonth(due.y, due.m))) fail(`instalment ${i.n} due ${i.due}: wrong day`);
          if (i.start !== prevDue) fail(`instalment ${i.n} starts ${i.start}, not ${prevDue}`);
          prevDue = i.due;
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('the annuity payment is the exact level payment rounded half-up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 360 }), (principal, bp, n) => {
        const rateText = `0.${String(bp).padStart(4, '0')}`;
        const level = annuityPayment(principal, Number(rateText), n);
        // exact: L = P·i·(1+i)^n / ((1+i)^n − 1) with i = bp / 120000; check L − ½ ≤ exact < L + ½
        const A = (120000n + BigInt(bp)) ** BigInt(n);
        const B = 120000n ** BigInt(n);
        const num = BigInt(principal) * BigInt(bp) * A;
        const den = 120000n * (A - B);
        const L = BigInt(level);
        if (!((2n * L - 1n) * den <= 2n * num && 2n * num < (2n * L + 1n) * den)) fail(`annuityPayment(${principal}, ${rateText}, ${n}) = ${level}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('product properties', () => {
  it('parseProduct ∘ productToSpec is the identity', () => {
    fc.assert(
      fc.property(productSpecArb, (spec) => {
        const p = parseProduct('x', spec);
        const again = parseProduct('x', productToSpec(p));
        if (JSON.stringify(again) !== JSON.stringify(p)) fail(`${JSON.stringify(p)} ≠ ${JSON.stringify(again)}`);
      }),
      { numRuns: RUNS },
    );
  });
});
