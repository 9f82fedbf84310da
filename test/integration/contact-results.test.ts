/**
 * Contact results at the store (src/store/outcomes.ts), on SQLite and PostgreSQL: one transaction
 * records the gate outcome, the attempt (borrower-local date and time, party, agent, agency, note),
 * the promise, the implied compliance act (enforced by the gate from then on) and an audit entry;
 * idempotent per decision; validation names the field; listPromises with partial payments.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptRequest, loadRulePack, type GateContext } from '../../src/compliance/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import { loadActs } from '../../src/store/acts.js';
import { verifyAudit } from '../../src/store/audit.js';
import type { Store } from '../../src/store/db.js';
import { decideAndRecord } from '../../src/store/gate.js';
import { checkContactResult, listPromises, recordContactResult } from '../../src/store/outcomes.js';
import { outcomesFor } from '../../src/contact/index.js';
import { addParties, getParty } from '../../src/store/parties.js';
import { insertLoans, recordPayments } from '../../src/store/repo.js';
import { catchValidationAsync } from '../support/errors.js';
import { BACKENDS } from '../support/stores.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false, holidays: [], packs: [regf] };
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: `Borrower ${id}`, timezone: 'America/New_York', phones: ['+12125550100'], emails: [], addresses: [] },
});

/** An allowed (or blocked) call decision for the borrower of `account` at `at`. */
async function callBorrower(s: Store, account: string, at: string, agentId: string | null = 'ann', agencyId: string | null = null) {
  const req = attemptRequest({ id: `B-${account}`, kind: 'borrower', zones: ['America/New_York'], flags: {}, phones: ['+12125550100'], emails: [], addresses: [] }, { accountId: account, channel: 'call', at });
  return decideAndRecord(s, req, ctx, { agentId, agencyId });
}

async function callReference(s: Store, account: string, at: string) {
  const req = attemptRequest({ id: 'R-1', kind: 'reference', zones: ['America/New_York'], flags: {}, phones: ['+12125550111'], emails: [], addresses: [] }, { accountId: account, channel: 'call', at, purpose: 'location' });
  return decideAndRecord(s, req, ctx, { agentId: 'ann' });
}

describe.each(BACKENDS)('contact results on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('records outcome, attempt, promise and audit in one go; the same result again is a duplicate, a different one refused', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2')]);
    // 00:30Z on 03-03 is 19:30 on 03-02 in New York: the attempt's business date is the borrower's
    const d = await callBorrower(s, 'L-1', '2026-03-03T00:30:00Z', 'ann', 'AG-1');
    expect(d.allowed).toBe(true);
    const r = await recordContactResult(s, { decisionId: d.id, outcome: 'promise', promise: { amount: 30000, due: '2026-03-09' }, note: 'pays Friday' }, { now: '2026-03-03T00:35:00Z' });
    expect(r).toMatchObject({ decisionId: d.id, actKind: null, duplicate: false });
    const attempts = await s.db.selectFrom('attempts').selectAll().execute();
    expect(attempts.map((a) => ({ ...a, id: Number(a.id), decision_id: Number(a.decision_id), promise_amount: Number(a.promise_amount) }))).toEqual([{
      id: r.attemptId, account_id: 'L-1', business_date: '2026-03-02', time: '19:30', party: 'borrower', channel: 'call', outcome: 'promise',
      promise_amount: 30000, promise_due: '2026-03-09', decision_id: d.id, party_id: 'B-L-1', agent_id: 'ann', agency_id: 'AG-1', note: 'pays Friday',
    }]);
    expect((await s.db.selectFrom('gate_decisions').select('outcome').where('id', '=', d.id).executeTakeFirstOrThrow()).outcome).toBe('promise');
    const entries = await s.db.selectFrom('audit_log').selectAll().where('kind', '=', 'contact.result').execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'ann', entity: 'account:L-1', at: '2026-03-03T00:35:00.000Z' });
    expect(JSON.parse(entries[0]?.data ?? '{}')).toMatchObject({ decision: d.id, attempt: r.attemptId, outcome: 'promise', promise: { amount: 30000, due: '2026-03-09' }, act: null });

    // the same result again: a duplicate, nothing changes
    expect(await recordContactResult(s, { decisionId: d.id, outcome: 'promise', promise: { amount: 30000, due: '2026-03-09' }, note: 'pays Friday' }))
      .toEqual({ decisionId: d.id, attemptId: r.attemptId, actKind: null, duplicate: true });
    // a different one is refused, naming the decision
    const diff = await catchValidationAsync(() => recordContactResult(s, { decisionId: d.id, outcome: 'promise', promise: { amount: 20000, due: '2026-03-09' }, note: 'pays Friday' }));
    expect(diff.field).toBe('decisionId');
    expect(diff.rule).toContain('already has the result promise (promise 30000 due 2026-03-09)');
    expect((await catchValidationAsync(() => recordContactResult(s, { decisionId: d.id, outcome: 'no_answer' }))).field).toBe('decisionId');
    expect(await s.db.selectFrom('attempts').select('id').execute()).toHaveLength(1);
    expect(await s.db.selectFrom('audit_log').select('seq').where('kind', '=', 'contact.result').execute()).toHaveLength(1);
    expect((await verifyAudit(s.db)).ok).toBe(true);

    // concurrent identical results: one records, the other is a duplicate
    const d2 = await callBorrower(s, 'L-2', '2026-03-03T00:40:00Z');
    const both = await Promise.all([1, 2].map(() => recordContactResult(s, { decisionId: d2.id, outcome: 'no_answer' })));
    expect(both.map((x) => x.duplicate).sort()).toEqual([false, true]);
    expect(both[0]?.attemptId).toBe(both[1]?.attemptId);
  });

  it('names the field of a bad result', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    const d = await callBorrower(s, 'L-1', '2026-03-02T15:00:00Z');
    const field = async (r: Parameters<typeof recordContactResult>[1]) => {
      const e = await catchValidationAsync(() => recordContactResult(s, r));
      return [e.field, e.rule];
    };
    expect((await field({ decisionId: d.id, outcome: 'maybe' as never }))[0]).toBe('outcome');
    expect((await field({ decisionId: d.id, outcome: 'pending' as never }))[0]).toBe('outcome');
    expect(await field({ decisionId: d.id, outcome: 'promise' })).toEqual(['promise', 'is required with outcome promise: { amount, due }']);
    expect((await field({ decisionId: d.id, outcome: 'no_answer', promise: { amount: 100, due: '2026-03-09' } }))[0]).toBe('promise');
    for (const amount of [0, -5, 1.5, 2 ** 53]) expect((await field({ decisionId: d.id, outcome: 'promise', promise: { amount, due: '2026-03-09' } }))[0]).toBe('promise.amount');
    expect((await field({ decisionId: d.id, outcome: 'promise', promise: { amount: 100, due: '2026-02-30' } }))[0]).toBe('promise.due');
    expect(await field({ decisionId: d.id, outcome: 'promise', promise: { amount: 100, due: '2026-03-01' } }))
      .toEqual(['promise.due', 'must be on or after the date the promise was made (2026-03-02), got 2026-03-01']);
    // a promise is bounded: at most what the account owes (account_state.total), due within PROMISE_MAX_DAYS (60) of the day it is made
    const owed = Number((await s.db.selectFrom('account_state').select('total').where('account_id', '=', 'L-1').executeTakeFirstOrThrow()).total);
    expect(owed).toBe(100000);
    expect(await field({ decisionId: d.id, outcome: 'promise', promise: { amount: 99999999999, due: '2026-03-09' } }))
      .toEqual(['promise.amount', 'must not exceed the balance owed, 1,000.00 USD, got 999,999,999.99']);
    expect((await field({ decisionId: d.id, outcome: 'promise', promise: { amount: owed + 1, due: '2026-03-09' } }))[0]).toBe('promise.amount');
    expect(await field({ decisionId: d.id, outcome: 'promise', promise: { amount: 100, due: '2099-01-01' } }))
      .toEqual(['promise.due', 'must be at most 60 days after the date the promise was made (2026-03-02), so 2026-05-01 at the latest, got 2099-01-01']);
    expect((await field({ decisionId: d.id, outcome: 'promise', promise: { amount: 100, due: '2026-05-02' } }))[0]).toBe('promise.due');
    expect(await field({ decisionId: 999, outcome: 'no_answer' })).toEqual(['decisionId', 'unknown gate decision 999']);
    expect((await field({ decisionId: 0, outcome: 'no_answer' }))[0]).toBe('decisionId');
    // a blocked decision (03:00 in New York) has no result
    const blocked = await callBorrower(s, 'L-1', '2026-03-02T08:00:00Z');
    expect(blocked.allowed).toBe(false);
    const e = await field({ decisionId: blocked.id, outcome: 'no_answer' });
    expect(e[0]).toBe('decisionId');
    expect(e[1]).toContain('was blocked by us-regf/hours');
    // nothing was recorded by the failures
    expect(await s.db.selectFrom('attempts').select('id').execute()).toEqual([]);
    expect((await s.db.selectFrom('gate_decisions').select('outcome').where('id', '=', d.id).executeTakeFirstOrThrow()).outcome).toBeNull();
    // the limits themselves are allowed: the whole balance, due on the 60th day
    expect((await recordContactResult(s, { decisionId: d.id, outcome: 'promise', promise: { amount: owed, due: '2026-05-01' } })).duplicate).toBe(false);
  });

  it('a reference who refused further contact is never called again; reached_person alone does not stop a call', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    await addParties(s.db, [{ id: 'R-1', accountId: 'L-1', kind: 'reference', relation: 'sibling', name: 'Bo', phones: ['+12125550111'] }]);
    // someone answered, not verified as the reference: not a location communication yet, so the reference may be called again
    const d1 = await callReference(s, 'L-1', '2026-03-02T15:00:00Z');
    await recordContactResult(s, { decisionId: d1.id, outcome: 'reached_person' });
    const d2 = await callReference(s, 'L-1', '2026-03-03T15:00:00Z');
    expect(d2.allowed).toBe(true);
    const r = await recordContactResult(s, { decisionId: d2.id, outcome: 'refused_contact' });
    expect(r.actKind).toBe('refused_contact');
    expect((await loadActs(s.db, 'L-1')).map((a) => [a.kind, a.partyId, a.source, a.at])).toEqual([['refused_contact', 'R-1', 'call', '2026-03-03T15:00:00.000Z']]);
    // weeks later: still blocked, never freed
    const d3 = await callReference(s, 'L-1', '2026-04-20T15:00:00Z');
    expect(d3).toMatchObject({ allowed: false, rule: 'us-regf/third-parties', nextAllowedAt: null });
    expect(d3.reason).toContain('refused further contact');
    // the borrower may still be called
    expect((await callBorrower(s, 'L-1', '2026-04-20T15:00:00Z')).allowed).toBe(true);
    // a duplicate does not record the act twice
    expect((await recordContactResult(s, { decisionId: d2.id, outcome: 'refused_contact' })).duplicate).toBe(true);
    expect(await loadActs(s.db, 'L-1')).toHaveLength(1);
  });

  it('the borrower\'s refusal is a cease; deceased, bankrupt and attorney place their holds; a wrong number is retired for a party', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, ['L-1', 'L-2', 'L-3', 'L-4', 'L-5'].map(loan));
    const cases = [['L-1', 'refused_contact', 'cease', 'us-regf/cease'], ['L-2', 'deceased', 'deceased', 'us-regf/deceased'], ['L-3', 'bankrupt', 'bankruptcy', 'us-regf/bankruptcy'], ['L-4', 'attorney', 'attorney', 'us-regf/attorney']] as const;
    for (const [account, outcome, kind, rule] of cases) {
      const d = await callBorrower(s, account, '2026-03-02T15:00:00Z');
      expect((await recordContactResult(s, { decisionId: d.id, outcome })).actKind).toBe(kind);
      expect((await loadActs(s.db, account)).map((a) => [a.kind, a.partyId])).toEqual([[kind, null]]);
      expect(await callBorrower(s, account, '2026-03-20T15:00:00Z')).toMatchObject({ allowed: false, rule });
    }
    await addParties(s.db, [{ id: 'R-1', accountId: 'L-5', kind: 'reference', relation: 'friend', name: 'Cy', phones: ['+12125550111'] }]);
    const d = await callReference(s, 'L-5', '2026-03-02T15:00:00Z');
    await recordContactResult(s, { decisionId: d.id, outcome: 'wrong_number' });
    expect((await getParty(s.db, 'R-1'))?.phones[0]?.retiredAt).toBe('2026-03-02T15:00:00.000Z');
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('lists promises with partial payments, grace and channel; filters by account and state', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2')]);
    const p1 = await callBorrower(s, 'L-1', '2026-03-02T15:00:00Z');
    await recordContactResult(s, { decisionId: p1.id, outcome: 'promise', promise: { amount: 10000, due: '2026-03-10' } });
    const p2 = await callBorrower(s, 'L-2', '2026-03-02T15:00:00Z', null, null);
    await recordContactResult(s, { decisionId: p2.id, outcome: 'promise', promise: { amount: 5000, due: '2026-03-05' } });
    await recordPayments(s.db, [
      { key: 'k1', accountId: 'L-1', date: '2026-03-04', amount: 4000 }, { key: 'k2', accountId: 'L-1', date: '2026-03-12', amount: 6000 },
      { key: 'k3', accountId: 'L-2', date: '2026-03-01', amount: 5000 },
    ]);
    const at = async (asOf: string, graceDays: number) => (await listPromises(s.db, { asOf, graceDays })).map((p) => [p.accountId, p.state, p.paid, p.remaining, p.settledOn]);
    expect(await at('2026-03-01', 0)).toEqual([]);
    expect(await at('2026-03-06', 2)).toEqual([['L-1', 'open', 4000, 6000, null], ['L-2', 'open', 0, 5000, null]]);
    expect(await at('2026-03-12', 2)).toEqual([['L-1', 'kept', 10000, 0, '2026-03-12'], ['L-2', 'broken', 0, 5000, '2026-03-08']]);
    expect(await at('2026-03-12', 0)).toEqual([['L-1', 'broken', 4000, 6000, '2026-03-11'], ['L-2', 'broken', 0, 5000, '2026-03-06']]);
    const one = await listPromises(s.db, { accountId: 'L-1', asOf: '2026-03-12', graceDays: 2 });
    expect(one).toEqual([{
      id: expect.any(Number) as number, accountId: 'L-1', madeOn: '2026-03-02', amount: 10000, due: '2026-03-10', channel: 'call', takenBy: 'ann', agencyId: null,
      paid: 10000, remaining: 0, state: 'kept', settledOn: '2026-03-12',
    }]);
    expect((await listPromises(s.db, { state: 'broken', asOf: '2026-03-12', graceDays: 2 })).map((p) => [p.accountId, p.takenBy])).toEqual([['L-2', null]]);
    expect((await catchValidationAsync(() => listPromises(s.db, { asOf: '2026-03-12', graceDays: -1 }))).field).toBe('graceDays');
    expect((await catchValidationAsync(() => listPromises(s.db, { state: 'late' as never, asOf: '2026-03-12', graceDays: 0 }))).field).toBe('state');
  });

  it('refuses an outcome the channel cannot have, naming outcome and listing the channel\'s outcomes; nothing recorded', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    const d = await callBorrower(s, 'L-1', '2026-03-02T15:00:00Z');
    for (const outcome of ['sent', 'failed'] as const) {
      const e = await catchValidationAsync(() => recordContactResult(s, { decisionId: d.id, outcome }));
      expect(e.field).toBe('outcome');
      expect(e.rule).toBe(`must be one of ${outcomesFor('call').join(', ')} for a call, got "${outcome}"`);
    }
    // an SMS is sent or failed, nothing else
    const sms = attemptRequest({ id: 'B-L-1', kind: 'borrower', zones: ['America/New_York'], flags: {}, phones: ['+12125550100'], emails: [], addresses: [] }, { accountId: 'L-1', channel: 'sms', at: '2026-03-02T15:10:00Z' });
    const sd = await decideAndRecord(s, sms, ctx, {});
    expect(sd.allowed).toBe(true);
    const e = await catchValidationAsync(() => recordContactResult(s, { decisionId: sd.id, outcome: 'conversation' }));
    expect([e.field, e.rule]).toEqual(['outcome', 'must be one of sent, failed for a sms, got "conversation"']);
    // the pure check, without a decision
    expect(() => checkContactResult({ decisionId: 1, outcome: 'sent', channel: 'visit' })).toThrow('outcome: must be one of no_answer');
    expect(checkContactResult({ decisionId: 1, outcome: 'sent', channel: 'letter' }).outcome).toBe('sent');
    expect(outcomesFor('email')).toEqual(['sent', 'failed']);
    expect(await s.db.selectFrom('attempts').select('id').execute()).toEqual([]);
    expect((await s.db.selectFrom('gate_decisions').select('outcome').orderBy('id').execute()).map((x) => x.outcome)).toEqual([null, null]);
    // the right outcomes still go in
    expect(await recordContactResult(s, { decisionId: sd.id, outcome: 'sent' })).toMatchObject({ duplicate: false });
    expect(await recordContactResult(s, { decisionId: d.id, outcome: 'no_answer' })).toMatchObject({ duplicate: false });
  });
});
