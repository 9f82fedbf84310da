/**
 * Promises to pay (src/contact/promises.ts): open / kept / broken as of a date, partial payments,
 * the grace period, settledOn; the outcome codes (right-party contacts, connected calls, the act
 * each notice implies); and the strategy's promise facts agree with promiseStatuses (property test).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/core/index.js';
import { impliedAct } from '../../src/compliance/index.js';
import {
  CONNECTED_OUTCOMES, CONVERSATION_OUTCOMES, isRightPartyContact, OUTCOMES, PROMISE_MAX_DAYS, promiseProblem, promiseStatuses, type Attempt, type PromiseRecord,
} from '../../src/contact/index.js';
import { openAccount, parseProduct, type Account } from '../../src/ledger/index.js';
import { buildFacts, NEVER_DAYS } from '../../src/strategy/index.js';

const promise = (id: number, madeOn: string, amount: number, due: string): PromiseRecord => ({
  id, accountId: 'L-1', madeOn, amount, due, channel: 'call', takenBy: 'ann', agencyId: null,
});

describe('promiseProblem: the limits of a promise', () => {
  const limits = { owed: 305_359, madeOn: '2026-03-02', currency: 'USD' };
  const problem = (amount: number, due: string): [string, string] | null => {
    const e = promiseProblem({ amount, due }, limits);
    return e === null ? null : [e.field, e.rule];
  };

  it('refuses more than the balance owed, naming the balance', () => {
    expect(problem(99_999_999_999, '2026-03-09')).toEqual(['promise.amount', 'must not exceed the balance owed, 3,053.59 USD, got 999,999,999.99']);
    expect(problem(305_360, '2026-03-09')?.[0]).toBe('promise.amount');
    expect(problem(305_359, '2026-03-09')).toBeNull();
    // nothing owed: no promise at all
    expect(promiseProblem({ amount: 1, due: '2026-03-09' }, { ...limits, owed: 0 })?.rule).toBe('must not exceed the balance owed, 0.00 USD, got 0.01');
  });

  it('refuses a due date before the day it is made or more than PROMISE_MAX_DAYS after, naming the last allowed date', () => {
    expect(PROMISE_MAX_DAYS).toBe(60);
    expect(problem(100, '2026-03-01')).toEqual(['promise.due', 'must be on or after the date the promise was made (2026-03-02), got 2026-03-01']);
    expect(problem(100, '2026-03-02')).toBeNull();
    expect(problem(100, addDays('2026-03-02', PROMISE_MAX_DAYS))).toBeNull();
    expect(problem(100, '2026-05-02')).toEqual(['promise.due', 'must be at most 60 days after the date the promise was made (2026-03-02), so 2026-05-01 at the latest, got 2026-05-02']);
    expect(problem(100, '2099-01-01')?.[0]).toBe('promise.due');
  });
});

describe('promiseStatuses', () => {
  // made 03-02 for 10000 due 03-10, grace 2 days: payments 03-02 .. 03-12 count
  const p = promise(7, '2026-03-02', 10000, '2026-03-10');
  const pays = [{ date: '2026-03-01', amount: 9000 }, { date: '2026-03-05', amount: 4000 }, { date: '2026-03-12', amount: 6000 }, { date: '2026-03-13', amount: 99999 }];

  it('adds partial payments up; open until due + grace, kept by the payment that completes it', () => {
    // before the promise was made it is not a fact
    expect(promiseStatuses([p], pays, '2026-03-01', 2)).toEqual([]);
    // 03-05: 4000 of 10000 (the 03-01 payment predates the promise)
    expect(promiseStatuses([p], pays, '2026-03-05', 2)).toEqual([{ ...p, paid: 4000, remaining: 6000, state: 'open', settledOn: null }]);
    // 03-11: past due, within grace — still open
    expect(promiseStatuses([p], pays, '2026-03-11', 2)[0]).toMatchObject({ state: 'open', paid: 4000, remaining: 6000 });
    // 03-12: the last day of grace; 4000 + 6000 = 10000 keeps it on 03-12
    expect(promiseStatuses([p], pays, '2026-03-12', 2)[0]).toMatchObject({ state: 'kept', paid: 10000, remaining: 0, settledOn: '2026-03-12' });
    // later payments do not count (outside the window), the state stays kept
    expect(promiseStatuses([p], pays, '2026-04-30', 2)[0]).toMatchObject({ state: 'kept', paid: 10000, settledOn: '2026-03-12' });
  });

  it('is broken the day after due + grace when not kept', () => {
    expect(promiseStatuses([p], pays, '2026-03-12', 0)[0]).toMatchObject({ state: 'broken', paid: 4000, remaining: 6000, settledOn: '2026-03-11' });
    expect(promiseStatuses([p], pays, '2026-03-11', 0)[0]).toMatchObject({ state: 'broken', settledOn: '2026-03-11' });
    expect(promiseStatuses([p], pays, '2026-03-10', 0)[0]).toMatchObject({ state: 'open' });
    // overpaid in one go: kept, nothing remaining
    expect(promiseStatuses([p], [{ date: '2026-03-03', amount: 25000 }], '2026-03-03', 0)[0]).toMatchObject({ state: 'kept', paid: 25000, remaining: 0, settledOn: '2026-03-03' });
  });

  it('counts payments for every promise whose window they fall in; unsorted payments are fine', () => {
    const q = promise(8, '2026-03-04', 3000, '2026-03-06');
    const out = promiseStatuses([p, q], [...pays].reverse(), '2026-03-20', 0);
    expect(out.map((s) => [s.id, s.state, s.paid])).toEqual([[7, 'broken', 4000], [8, 'kept', 4000]]);
  });

  it('names the field of bad arguments', () => {
    expect(() => promiseStatuses([p], pays, '2026-02-30', 0)).toThrow(/asOf/);
    expect(() => promiseStatuses([p], pays, '2026-03-10', -1)).toThrow(/graceDays/);
    expect(() => promiseStatuses([p], pays, '2026-03-10', 1.5)).toThrow(/graceDays/);
  });
});

describe('outcome codes', () => {
  it('right-party contacts are the conversations; reached_person and the notices are connected calls only', () => {
    expect(OUTCOMES.filter(isRightPartyContact)).toEqual(['conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship']);
    for (const o of ['reached_person', 'refused_contact', 'deceased', 'bankrupt', 'attorney'] as const) {
      expect(OUTCOMES).toContain(o);
      expect(isRightPartyContact(o)).toBe(false);
      expect(CONVERSATION_OUTCOMES.has(o)).toBe(false);
      expect(CONNECTED_OUTCOMES.has(o)).toBe(true);
    }
    expect(CONNECTED_OUTCOMES.has('no_answer')).toBe(false);
    expect(CONNECTED_OUTCOMES.has('abandoned')).toBe(false);
  });

  it('implies the compliance act of a notice', () => {
    const b = { id: 'B-1', kind: 'borrower' as const };
    const r = { id: 'R-1', kind: 'reference' as const };
    expect(impliedAct('refused_contact', b)).toEqual({ kind: 'cease', partyId: null });
    expect(impliedAct('refused_contact', { id: 'G-1', kind: 'guarantor' })).toEqual({ kind: 'cease', partyId: 'G-1' });
    expect(impliedAct('refused_contact', r)).toEqual({ kind: 'refused_contact', partyId: 'R-1' });
    expect(impliedAct('refused_contact', { id: 'E-1', kind: 'employer' })).toEqual({ kind: 'refused_contact', partyId: 'E-1' });
    expect(impliedAct('deceased', r)).toEqual({ kind: 'deceased', partyId: null });
    expect(impliedAct('bankrupt', b)).toEqual({ kind: 'bankruptcy', partyId: null });
    expect(impliedAct('attorney', b)).toEqual({ kind: 'attorney', partyId: null });
    for (const o of OUTCOMES.filter((x) => !['refused_contact', 'deceased', 'bankrupt', 'attorney'].includes(x))) expect(impliedAct(o, b)).toBeNull();
  });

  it('reached_person is not a conversation in the strategy facts', () => {
    const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
    const account: Account = { id: 'L-1', borrowerId: 'B-1', productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' };
    const at = (date: string, outcome: Attempt['outcome']): Attempt => ({ accountId: 'L-1', date, time: null, party: 'borrower', channel: 'call', outcome, promise: null });
    const f = buildFacts({ account, state: { ...openAccount(account, product), asOf: '2026-03-10' }, date: '2026-03-10', payments: [], stage: null,
      attempts: [at('2026-03-01', 'conversation'), at('2026-03-09', 'reached_person'), at('2026-03-10', 'refused_contact')] });
    expect(f.contact.daysSinceRightPartyContact).toBe(9);
    expect(f.contact.borrower.conversations30d).toBe(1);
    expect(f.contact.borrower.consecutiveFailedAttempts).toBe(2);
    expect(f.contact.borrower.attempts7d).toBe(2);
  });
});

describe('the strategy facts agree with promiseStatuses', () => {
  const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
  const account: Account = { id: 'L-1', borrowerId: 'B-1', productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' };
  const state = openAccount(account, product);
  const START = '2026-02-01';
  const day = fc.integer({ min: 0, max: 60 });

  it('open, kept, broken, openAmount and brokenPromiseDays', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ made: day, dueIn: fc.integer({ min: 0, max: 20 }), amount: fc.integer({ min: 1, max: 20000 }) }), { maxLength: 6 }),
      fc.array(fc.record({ on: day, amount: fc.integer({ min: 1, max: 15000 }) }), { maxLength: 10 }),
      day, fc.integer({ min: 0, max: 5 }),
      (ps, pays, asOfDay, grace) => {
        const asOf = addDays(START, asOfDay);
        const promises = ps.map((p, i) => promise(i + 1, addDays(START, p.made), p.amount, addDays(START, p.made + p.dueIn)))
          .sort((a, b) => (a.madeOn < b.madeOn ? -1 : a.madeOn > b.madeOn ? 1 : 0));
        const payments = pays.map((x) => ({ date: addDays(START, x.on), amount: x.amount }));
        const attempts: Attempt[] = promises.map((p) => ({ accountId: 'L-1', date: p.madeOn, time: null, party: 'borrower', channel: 'call', outcome: 'promise', promise: { amount: p.amount, due: p.due } }));
        const f = buildFacts({ account, state: { ...state, asOf }, date: asOf, attempts, payments, stage: null, promiseGraceDays: grace });
        const s = promiseStatuses(promises, payments, asOf, grace);
        const count = (st: string): number => s.filter((x) => x.state === st).length;
        const lastBroken = s.filter((x) => x.state === 'broken').map((x) => x.settledOn as string).sort().at(-1);
        expect(f.promises).toEqual({
          open: count('open'), kept: count('kept'), broken: count('broken'),
          openAmount: s.filter((x) => x.state === 'open').reduce((n, x) => n + x.remaining, 0),
          brokenPromiseDays: lastBroken === undefined ? NEVER_DAYS : (Date.parse(asOf) - Date.parse(lastBroken)) / 86_400_000,
        });
      },
    ), { numRuns: 300 });
  });
});
