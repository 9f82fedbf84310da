/**
 * Ledger invariants over random products, accounts, payment sequences and pauses, closed day by day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, applyRate, daysBetween, mulDivHalfUp } from '../../src/core/index.js';
import {
  balances, bucketFor, closeDay, daysPastDue, instalmentOpen, openAccount, type AccountState, type Instalment, type LedgerEvent,
} from '../../src/ledger/index.js';
import { daysSince, RUNS, scenarioArb, simulate } from './ledger-arbitraries.js';

function fail(msg: string): never {
  throw new Error(msg);
}

describe('ledger properties', () => {
  it('(a) every payment is allocated completely: its parts sum to the amount, none negative', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        simulate(s, ({ date, payments, result }) => {
          const events = result.events.filter((e): e is Extract<LedgerEvent, { type: 'payment' }> => e.type === 'payment');
          if (events.length !== payments.length) fail(`${date}: ${payments.length} payments but ${events.length} payment events`);
          events.forEach((e, i) => {
            const p = payments[i];
            if (!p || e.key !== p.key || e.amount !== p.amount) fail(`${date}: payment event ${i} does not match its payment`);
            const a = e.allocation;
            const parts = [a.fees, a.penalty, a.interest, a.principal, a.credit, a.prepaid];
            if (parts.some((x) => x < 0 || !Number.isSafeInteger(x))) fail(`${date}: allocation part not a whole non-negative amount ${JSON.stringify(a)}`);
            const sum = parts.reduce((x, y) => x + y, 0);
            if (sum !== e.amount) fail(`${date}: allocation ${JSON.stringify(a)} sums to ${sum}, not ${e.amount}`);
          });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) no unpaid component is ever negative; paid never exceeds charged, per component', () => {
    const check = (date: string, i: Instalment) => {
      const pairs: [string, number, number][] = [
        ['principal', i.paidPrincipal, i.principal],
        ['interest', i.paidInterest, i.interestAccrued],
        ['accrued interest', i.interestAccrued, i.interest],
        ['penalty', i.paidPenalty, i.penalty],
        ['fees', i.paidFees, i.fees],
      ];
      for (const [name, paid, charged] of pairs) {
        if (paid < 0 || charged < 0 || paid > charged || !Number.isSafeInteger(paid) || !Number.isSafeInteger(charged)) {
          fail(`${date}: instalment ${i.n} ${name}: ${paid} of ${charged}`);
        }
      }
    };
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        simulate(s, ({ date, result }) => {
          for (const i of result.state.instalments) check(date, i);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(c) balances, credit and charges are never negative', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        simulate(s, ({ date, result }) => {
          const b = balances(result.state);
          for (const [k, v] of Object.entries(b)) if (v < 0) fail(`${date}: balance ${k} = ${v}`);
          if (b.total !== b.principal + b.interest + b.penalty + b.fees) fail(`${date}: total does not add up`);
          if (result.state.credit < 0) fail(`${date}: credit ${result.state.credit}`);
          if (result.state.charged < 0) fail(`${date}: charged ${result.state.charged}`);
          const a = result.accrual;
          if (a.interest < 0 || a.penalty < 0 || a.fees < 0) fail(`${date}: negative accrual ${JSON.stringify(a)}`);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(d) cost cap: charged ≤ principal × cap × days since disbursement / 365 on every date (exact)', () => {
    fc.assert(
      fc.property(scenarioArb().filter((s) => s.product.costCap !== null), (s) => {
        const cap = s.product.costCap;
        if (!cap) return;
        let reached = false;
        simulate(s, ({ date, result }) => {
          const days = BigInt(daysSince(s.account.disbursed, date));
          // charged × 365 × den ≤ principal × num × days, on integers
          const lhs = BigInt(result.state.charged) * 365n * BigInt(cap.den);
          const rhs = BigInt(s.account.principal) * BigInt(cap.num) * days;
          if (lhs > rhs) fail(`${date}: charged ${result.state.charged} exceeds ${s.account.principal} × ${cap.num}/${cap.den} × ${days}/365`);
          // the event is emitted on the day the cap starts binding, and only then
          const events = result.events.filter((e) => e.type === 'cost_cap_reached');
          if (events.length > 1) fail(`${date}: ${events.length} cost_cap_reached events`);
          if (events.length === 1 && reached) fail(`${date}: cost_cap_reached while already capped`);
          if (result.state.capReached && !reached && events.length === 0) fail(`${date}: capped without an event`);
          reached = result.state.capReached;
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(e) DPD never exceeds the days since the first due date, and matches the oldest open instalment', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        simulate(s, ({ date, result }) => {
          const st = result.state;
          const first = st.instalments[0];
          if (!first) fail('no instalments');
          if (st.dpd < 0) fail(`${date}: dpd ${st.dpd}`);
          if (st.dpd > daysSince(first.due, date)) fail(`${date}: dpd ${st.dpd} > days since first due ${first.due}`);
          if (st.status === 'open' && !st.instalments.some((i) => i.due < date && instalmentOpen(i)) && st.dpd !== 0) {
            fail(`${date}: dpd ${st.dpd} with nothing past due`);
          }
          const oldest = st.instalments.find((i) => i.due < date && instalmentOpen(i));
          if (st.status === 'open' && oldest && st.dpd !== daysPastDue(oldest.due, date, st.pauses)) {
            fail(`${date}: dpd ${st.dpd}, but the oldest open instalment (due ${oldest.due}) is ${daysPastDue(oldest.due, date, st.pauses)} days past due`);
          }
          if (oldest && st.dpd > daysBetween(oldest.due, date)) fail(`${date}: dpd above the oldest open instalment's age`);
          if (st.bucket !== bucketFor(st.dpd)) fail(`${date}: bucket ${st.bucket} for dpd ${st.dpd}`);
          if ((st.dpd > 0) !== (st.delinquentSince !== null)) fail(`${date}: dpd ${st.dpd} with delinquentSince ${st.delinquentSince}`);
          if (Number.isNaN(st.dpd)) fail(`${date}: dpd is NaN`);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(f) closing a date again is a no-op: same state, no events, no accrual', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        simulate(s, ({ date, payments, result }) => {
          const again = closeDay(s.account, s.product, result.state, date, payments);
          if (again.state !== result.state) fail(`${date}: closing again returned a different state`);
          if (again.events.length !== 0) fail(`${date}: closing again emitted ${JSON.stringify(again.events)}`);
          if (again.accrual.interest + again.accrual.penalty + again.accrual.fees !== 0) fail(`${date}: closing again accrued`);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(g) the books balance: payments = paid + credit; charged = interest + penalty + LD on the instalments', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        let received = 0;
        simulate(s, ({ date, payments, result }) => {
          received += payments.reduce((a, p) => a + p.amount, 0);
          const st = result.state;
          const paid = st.instalments.reduce((a, i) => a + i.paidPrincipal + i.paidInterest + i.paidPenalty + i.paidFees, 0);
          if (paid + st.credit !== received) fail(`${date}: received ${received}, paid ${paid} + credit ${st.credit}`);
          const charged = st.instalments.reduce((a, i) => a + i.interestAccrued + i.penalty + i.fees, 0);
          if (charged !== st.charged) fail(`${date}: charged ${st.charged}, instalments carry ${charged}`);
          const principal = st.instalments.reduce((a, i) => a + i.principal, 0);
          if (principal !== s.account.principal) fail(`${date}: schedule principal ${principal}`);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(h) closeDay is pure, and a run restarted from stored (JSON) state ends in the same state', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.integer({ min: 0, max: 400 }), (s, cut) => {
        const straight = simulate(s, () => undefined);
        // kill after `cut` days, store the state as JSON, reload and carry on; check purity on the way
        const cutDate = addDays(s.start, cut);
        let state: AccountState = { ...openAccount(s.account, s.product), pauses: s.pauses };
        for (let d = s.start; d <= s.end; d = addDays(d, 1)) {
          const date = d;
          const before = JSON.stringify(state);
          const next = closeDay(s.account, s.product, state, date, s.payments.filter((p) => p.date === date)).state;
          if (JSON.stringify(state) !== before) fail(`${date}: closeDay changed the state it was given`);
          state = date === cutDate ? (JSON.parse(JSON.stringify(next)) as AccountState) : next;
        }
        expect(state).toEqual(straight);
      }),
      { numRuns: RUNS },
    );
  });

  it('(i) liquidated damages are charged at most once per instalment; events agree with state', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const ld = new Map<number, number>();
        let closed = 0;
        simulate(s, ({ date, prev, result }) => {
          for (const e of result.events) {
            if (e.type === 'liquidated_damages') {
              if (ld.has(e.n)) fail(`${date}: second LD for instalment ${e.n}`);
              ld.set(e.n, e.amount);
              if (e.amount <= 0) fail(`${date}: LD event of ${e.amount}`);
            }
            if (e.type === 'closed') closed++;
            if (e.type === 'cured' && !(prev.dpd > 0 && result.state.dpd === 0)) fail(`${date}: cured without a change of DPD to 0`);
            if (e.type === 'instalment_due' && result.state.instalments[e.n - 1]?.due !== date) fail(`${date}: instalment ${e.n} billed on the wrong day`);
            if (e.type === 'bucket_change' && (e.from !== prev.bucket || e.to !== result.state.bucket)) fail(`${date}: bucket_change does not match`);
          }
          if (result.state.status === 'closed' && balances(result.state).total !== 0) fail(`${date}: closed with a balance`);
          if (prev.status === 'open' && result.state.status === 'open' && balances(result.state).total === 0) fail(`${date}: nothing owed but open`);
          const cured = result.events.some((e) => e.type === 'cured');
          if (prev.dpd > 0 && result.state.dpd === 0 && !cured) fail(`${date}: DPD fell to 0 without a cured event`);
        });
        if (closed > 1) fail(`closed ${closed} times`);
      }),
      { numRuns: RUNS },
    );
  });

  it('(j) accrual matches an independent computation: interest by elapsed days, penalty on the eligible base', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const p = s.product;
        simulate(s, ({ date, prev, result }) => {
          if (prev.status === 'closed' || date <= s.account.disbursed) {
            if (result.accrual.interest + result.accrual.penalty + result.accrual.fees !== 0) fail(`${date}: accrual on a closed or undisbursed account`);
            return;
          }
          const st = result.state;
          // interest: each period in progress or ending today stands at round(interest × elapsed / length)
          // (never lower than yesterday; a period whose interest was frozen by a payoff is complete)
          for (const i of st.instalments) {
            if (i.start >= date || i.due < date) continue;
            const target = i.due === date ? i.interest : mulDivHalfUp(i.interest, daysBetween(i.start, date), daysBetween(i.start, i.due));
            const expected = Math.max(target, prev.instalments[i.n - 1]?.interestAccrued ?? 0);
            const complete = i.interestAccrued === i.interest;
            if (p.costCap === null ? i.interestAccrued !== expected && !complete : i.interestAccrued > expected && !complete) {
              fail(`${date}: instalment ${i.n} accrued ${i.interestAccrued}, expected ${expected}`);
            }
          }
          // penalty: the day's rate on unpaid principal (+ interest) of instalments past their grace period
          let base = 0;
          if (p.penalty) {
            for (const i of st.instalments) {
              if (i.due >= date || daysPastDue(i.due, date, st.pauses) <= p.graceDays) continue;
              base += i.principal - i.paidPrincipal + (p.penalty.base === 'overdue-amount' ? i.interestAccrued - i.paidInterest : 0);
            }
          }
          const expected = p.penalty ? applyRate(base, p.penalty.dailyRate) : 0;
          if (p.costCap === null ? result.accrual.penalty !== expected : result.accrual.penalty > expected) {
            fail(`${date}: penalty ${result.accrual.penalty}, expected ${expected} on ${base}`);
          }
          const penaltyNow = st.instalments.reduce((a, i) => a + i.penalty, 0);
          const penaltyBefore = prev.instalments.reduce((a, i) => a + i.penalty, 0);
          if (penaltyNow - penaltyBefore !== result.accrual.penalty) fail(`${date}: penalty attributed ${penaltyNow - penaltyBefore} of ${result.accrual.penalty}`);
          if (p.costCap === null && (st.capReached || result.events.some((e) => e.type === 'cost_cap_reached'))) fail(`${date}: capped without a cap`);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(k) money goes to credit or prepayment only when nothing due is left unpaid', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        simulate(s, ({ date, result }) => {
          const st = result.state;
          const excess = result.events.some((e) => e.type === 'payment' && e.allocation.credit + e.allocation.prepaid > 0);
          const openDue = st.instalments.filter((i) => i.due <= date && instalmentOpen(i));
          if ((excess || st.credit > 0) && openDue.length > 0) {
            fail(`${date}: credit ${st.credit} (excess today: ${excess}) while instalments ${openDue.map((i) => i.n).join(', ')} are open`);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('(l) no interest accrues once no principal is outstanding', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        simulate(s, ({ date, prev, result }) => {
          if (prev.asOf !== null && balances(prev).principal === 0 && result.accrual.interest !== 0) {
            fail(`${date}: ${result.accrual.interest} interest on a zero balance`);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });
});
