import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/core/index.js';
import type { BusinessDate } from '../../src/core/index.js';
import { openAccount, parseProduct } from '../../src/ledger/index.js';
import type { Account, AccountState } from '../../src/ledger/index.js';
import type { Attempt, Channel, Outcome, PartyKind } from '../../src/contact/index.js';
import { buildFacts, factValue, FACTS, NEVER_DAYS, propensityScore } from '../../src/strategy/index.js';
import type { FactsInput } from '../../src/strategy/index.js';

const product = parseProduct('p', { method: 'equal-principal', annualRate: 0.12, termMonths: 3 });
const account: Account = { id: 'L-1', borrowerId: 'B-1', productId: 'p', currency: 'USD', principal: 300000, disbursed: '2026-01-01' };
const DATE = '2026-03-10';

function state(dpd = 0): AccountState {
  return { ...openAccount(account, product), dpd, bucket: dpd > 0 ? 'M1' : 'C', asOf: DATE };
}

function attempt(date: BusinessDate, outcome: Outcome, party: PartyKind = 'borrower', channel: Channel = 'call', promise: Attempt['promise'] = null): Attempt {
  return { accountId: 'L-1', date, time: null, party, channel, outcome, promise };
}

function input(extra: Partial<FactsInput> = {}): FactsInput {
  return { account, state: state(), date: DATE, attempts: [], payments: [], stage: null, ...extra };
}

describe('buildFacts', () => {
  it('produces exactly the catalogued facts, with their CEL types', () => {
    const f = buildFacts(input());
    const leaves: string[] = [];
    const walk = (o: object, prefix: string): void => {
      for (const [k, v] of Object.entries(o)) {
        const name = prefix ? `${prefix}.${k}` : k;
        if (typeof v === 'object' && v !== null) walk(v as object, name);
        else leaves.push(name);
      }
    };
    walk(f, '');
    expect(leaves.sort()).toEqual(FACTS.map((d) => d.name).sort());
    for (const d of FACTS) {
      const v = factValue(f, d.name);
      if (d.type === 'int') expect(Number.isInteger(v), d.name).toBe(true);
      if (d.type === 'double') expect(typeof v, d.name).toBe('number');
      if (d.type === 'bool') expect(typeof v, d.name).toBe('boolean');
      if (d.type === 'string') expect(typeof v, d.name).toBe('string');
    }
  });

  it('reads ledger facts', () => {
    const f = buildFacts(input({ state: state(12), stage: { name: 'reminder', since: '2026-03-07' } }));
    expect(f.dpd).toBe(12);
    expect(f.bucket).toBe('M1');
    expect(f.stage).toBe('reminder');
    expect(f.daysInStage).toBe(3);
    expect(f.balance.principal).toBe(300000);
    expect(f.daysSinceDisbursement).toBe(68);
    expect(f.product).toBe('p');
    expect(f.nextDueInDays).toBeGreaterThanOrEqual(0);
    expect(buildFacts(input({ buckets: [{ name: 'ok', min: 0, max: 0 }, { name: 'late', min: 1, max: null }], state: state(3) })).bucket).toBe('late');
  });

  it('counts contact attempts in today / 7-day / 30-day windows per party and channel', () => {
    const attempts = [
      attempt('2026-01-15', 'wrong_number'), // > 30 days ago
      attempt('2026-02-08', 'no_answer'), // 30 days ago: out of 30d
      attempt('2026-02-09', 'no_answer'), // 29 days ago: in 30d
      attempt('2026-03-03', 'busy'), // 7 days ago: out of 7d
      attempt('2026-03-04', 'conversation'), // 6 days ago: in 7d
      attempt('2026-03-09', 'no_answer', 'borrower', 'sms'),
      attempt('2026-03-10', 'no_answer'),
      attempt('2026-03-10', 'voicemail'),
      attempt('2026-03-10', 'conversation', 'reference'),
      attempt('2026-03-11', 'no_answer'), // future: ignored
    ];
    const f = buildFacts(input({ attempts, referencesOnFile: 2 }));
    const b = f.contact.borrower;
    expect(b.call.attemptsToday).toBe(2);
    expect(b.call.attempts7d).toBe(3);
    expect(b.call.attempts30d).toBe(5);
    expect(b.call.conversations30d).toBe(1);
    expect(b.call.wrongNumbers).toBe(1);
    expect(b.sms.attempts7d).toBe(1);
    expect(b.attempts7d).toBe(4);
    expect(b.call.consecutiveFailedAttempts).toBe(2);
    expect(b.consecutiveFailedAttempts).toBe(3);
    expect(b.daysSinceConversation).toBe(6);
    expect(f.contact.daysSinceRightPartyContact).toBe(6);
    expect(f.contact.reference.daysSinceConversation).toBe(0);
    expect(f.contact.reference.call.attemptsToday).toBe(1);
    expect(f.contact.employer.daysSinceConversation).toBe(NEVER_DAYS);
    expect(f.contact.referencesOnFile).toBe(2);
  });

  it('daysSinceRightPartyContact counts borrower conversations only, NEVER_DAYS when none', () => {
    expect(buildFacts(input({ attempts: [attempt('2026-03-01', 'no_answer')] })).contact.daysSinceRightPartyContact).toBe(NEVER_DAYS);
    expect(buildFacts(input({ attempts: [attempt('2026-03-01', 'conversation', 'reference')] })).contact.daysSinceRightPartyContact).toBe(NEVER_DAYS);
    expect(buildFacts(input({ attempts: [attempt('2026-03-01', 'promise', 'borrower', 'call', { amount: 1, due: '2026-03-20' })] })).contact.daysSinceRightPartyContact).toBe(9);
    const refused = buildFacts(input({ attempts: [attempt('2026-03-01', 'refused_to_pay')] }));
    expect(refused.contact.borrower.refusals30d).toBe(1);
    expect(refused.contact.daysSinceRightPartyContact).toBe(9);
  });

  describe('promises to pay', () => {
    const promise = (date: BusinessDate, amount: number, due: BusinessDate): Attempt => attempt(date, 'promise', 'borrower', 'call', { amount, due });

    it('is kept when payments from the promise date through due reach the amount', () => {
      const f = buildFacts(input({ attempts: [promise('2026-03-01', 10000, '2026-03-05')], payments: [{ date: '2026-03-02', amount: 4000 }, { date: '2026-03-05', amount: 6000 }] }));
      expect(f.promises).toMatchObject({ kept: 1, broken: 0, open: 0, brokenPromiseDays: NEVER_DAYS });
    });

    it('is kept early when paid before the due date', () => {
      const f = buildFacts(input({ attempts: [promise('2026-03-08', 10000, '2026-03-20')], payments: [{ date: '2026-03-09', amount: 10000 }] }));
      expect(f.promises).toMatchObject({ kept: 1, open: 0 });
    });

    it('is broken when the due date passed short; payments before the promise or after due do not count', () => {
      const f = buildFacts(
        input({
          attempts: [promise('2026-03-01', 10000, '2026-03-05')],
          payments: [{ date: '2026-02-28', amount: 10000 }, { date: '2026-03-03', amount: 9999 }, { date: '2026-03-06', amount: 5000 }],
        }),
      );
      expect(f.promises).toMatchObject({ kept: 0, broken: 1, open: 0, brokenPromiseDays: 4 });
    });

    it('is open until due (and during a grace period), with the missing amount', () => {
      const f = buildFacts(input({ attempts: [promise('2026-03-01', 10000, '2026-03-10')], payments: [{ date: '2026-03-02', amount: 3000 }] }));
      expect(f.promises).toMatchObject({ open: 1, openAmount: 7000, broken: 0 });
      const late = buildFacts(input({ attempts: [promise('2026-03-01', 10000, '2026-03-08')], promiseGraceDays: 2 }));
      expect(late.promises.open).toBe(1);
      const lateKept = buildFacts(input({ attempts: [promise('2026-03-01', 10000, '2026-03-08')], promiseGraceDays: 2, payments: [{ date: '2026-03-10', amount: 10000 }] }));
      expect(lateKept.promises.kept).toBe(1);
    });

    it('handles unsorted payments and several promises', () => {
      const f = buildFacts(
        input({
          attempts: [promise('2026-02-01', 5000, '2026-02-05'), promise('2026-02-20', 5000, '2026-02-25'), promise('2026-03-09', 5000, '2026-03-15')],
          payments: [{ date: '2026-02-24', amount: 5000 }, { date: '2026-02-03', amount: 100 }],
        }),
      );
      expect(f.promises).toMatchObject({ kept: 1, broken: 1, open: 1, brokenPromiseDays: 32 });
    });
  });

  it('reads visits, plan, legal and flags; a ledger pause sets flags.paused', () => {
    const s = state(50);
    s.pauses = [{ from: '2026-03-01', until: '2026-03-31', reason: 'x' }];
    const f = buildFacts(
      input({
        state: s,
        visits: [{ date: '2026-03-01', address: 'residential', result: 'failed' }, { date: '2026-03-05', address: 'id_card', result: 'reached' }],
        plan: { active: true, hardshipOpen: false },
        legal: { reviewDone: true, uncollectable: false },
        flags: { disputed: true },
      }),
    );
    expect(f.visits).toEqual({ done: 2, reached: 1, failed: 1, residentialFailed: 1, idCardFailed: 0, daysSinceLast: 5 });
    expect(f.plan.active).toBe(true);
    expect(f.legal.reviewDone).toBe(true);
    expect(f.flags).toEqual({ disputed: true, cease: false, deceased: false, bankrupt: false, paused: true });
  });

  it('propensity falls with dpd, broken promises and silence', () => {
    const base = { dpd: 5, broken: 0, kept: 0, daysSinceRpc: 2, conversations30d: 1 };
    const p = propensityScore(base);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(propensityScore({ ...base, dpd: 60 })).toBeLessThan(p);
    expect(propensityScore({ ...base, broken: 2 })).toBeLessThan(p);
    expect(propensityScore({ ...base, daysSinceRpc: NEVER_DAYS, conversations30d: 0 })).toBeLessThan(p);
    expect(propensityScore({ ...base, kept: 1 })).toBeGreaterThan(p);
  });

  it('is linear in attempts (1M-account budget): 10 000 attempts in a few ms', () => {
    const attempts: Attempt[] = [];
    for (let i = 0; i < 10000; i++) attempts.push(attempt(addDays('2025-12-01', Math.floor(i / 100)), i % 7 === 0 ? 'conversation' : 'no_answer'));
    const t = performance.now();
    const f = buildFacts(input({ attempts }));
    expect(performance.now() - t).toBeLessThan(200);
    expect(f.contact.borrower.attempts30d).toBeGreaterThan(0);
  });
});
