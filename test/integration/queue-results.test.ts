/**
 * Work queues with contact results, on SQLite and PostgreSQL: the broken-promise bump from the
 * promises' status on the queue date (not stale stage-move facts), calls to references and other
 * parties queued for that party and asked of the gate for that party (third-party rules), a refused
 * reference never queued or called again, wrap-up with a promise (one transaction: result, item and
 * task done), supervisors re-assigning items (role, skills, audit), status with promises and RPCs.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRulePack } from '../../src/compliance/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import { BROKEN_PROMISE_BUMP } from '../../src/queues/index.js';
import { verifyAudit } from '../../src/store/audit.js';
import { addCallerNumber } from '../../src/store/caller-numbers.js';
import type { Store } from '../../src/store/db.js';
import { saveJurisdiction } from '../../src/store/gate.js';
import { addParties } from '../../src/store/parties.js';
import { addUser, assignItem, buildQueueForDate, nextAccount, queueStatus, wrapUp, type PacksFor } from '../../src/store/queues.js';
import { insertLoans, recordPayments } from '../../src/store/repo.js';
import { catchValidationAsync } from '../support/errors.js';
import { BACKENDS } from '../support/stores.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const packsFor: PacksFor = () => Promise.resolve({ packs: [regf], holidays: [] });
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const DATE = '2026-03-02';
// 15:00Z is 10:00 in New York
const AT = '2026-03-02T15:00:00Z';
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: `Borrower ${id}`, timezone: 'America/New_York', phones: ['+12125550100'], emails: [], addresses: [{ kind: 'residential' as const, line: '1 Main St', country: 'US' }] },
});

async function seed(s: Store, accounts: Record<string, number>, parties: Record<string, string> = {}, date = DATE): Promise<void> {
  await insertLoans(s.db, Object.keys(accounts).map(loan));
  for (const [id, o] of Object.entries(accounts)) await s.db.updateTable('account_state').set({ overdue: o, bucket: 'M1' }).where('account_id', '=', id).execute();
  await saveJurisdiction(s.db, null, ['us-regf']);
  await task(s, accounts, parties, date);
}

async function task(s: Store, accounts: Record<string, number>, parties: Record<string, string> = {}, date = DATE): Promise<void> {
  let n = 0;
  for (const id of Object.keys(accounts)) {
    await s.db.insertInto('tasks').values({
      account_id: id, business_date: date, type: 'call', party: parties[id] ?? 'borrower', channel: 'call', template: null, priority: 5,
      window: null, stage: 'reminder', seq: ++n, address: null, status: 'planned',
    }).execute();
  }
}

async function promiseAttempt(s: Store, account: string, madeOn: string, amount: number, due: string): Promise<void> {
  await s.db.insertInto('attempts').values({ account_id: account, business_date: madeOn, time: '10:00', party: 'borrower', channel: 'call', outcome: 'promise', promise_amount: amount, promise_due: due }).execute();
}

async function itemOf(s: Store, account: string, date = DATE): Promise<number> {
  return Number((await s.db.selectFrom('queue_items').select('id').where('account_id', '=', account).where('business_date', '=', date).executeTakeFirstOrThrow()).id);
}

describe.each(BACKENDS)('work queues with contact results on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('bumps accounts whose promise is broken on the queue date, not kept, open or stale ones', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000, 'L-2': 8000, 'L-3': 9000, 'L-4': 7000 });
    // L-1: kept by two partial payments (the stage move's facts saw it broken: ignored)
    await promiseAttempt(s, 'L-1', '2026-02-10', 6000, '2026-02-20');
    await recordPayments(s.db, [{ key: 'p1', accountId: 'L-1', date: '2026-02-12', amount: 2000 }, { key: 'p2', accountId: 'L-1', date: '2026-02-20', amount: 4000 }]);
    await s.db.insertInto('stage_moves').values({ account_id: 'L-1', business_date: '2026-02-28', from_stage: null, to_stage: 'reminder', strategy: 'd@1', variant: null, condition: 'true', facts: JSON.stringify({ promises: { broken: 1 } }) }).execute();
    // L-2: 3000 of 6000 paid, due 02-25: broken
    await promiseAttempt(s, 'L-2', '2026-02-15', 6000, '2026-02-25');
    await recordPayments(s.db, [{ key: 'p3', accountId: 'L-2', date: '2026-02-16', amount: 3000 }]);
    // L-3: open (due 03-05); L-4: broken long ago (made before the look-back)
    await promiseAttempt(s, 'L-3', '2026-02-27', 6000, '2026-03-05');
    await promiseAttempt(s, 'L-4', '2025-09-01', 6000, '2025-09-10');
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 10 });
    const out = await buildQueueForDate(s, DATE);
    // 8000 × 0.5 × 1.5 = 6000 > 10000 × 0.5 = 5000 > 9000 × 0.5 = 4500 > 7000 × 0.5 = 3500
    expect(out.map((a) => [a.accountId, a.priority])).toEqual([['L-2', 8000 * 0.5 * BROKEN_PROMISE_BUMP], ['L-1', 5000], ['L-3', 4500], ['L-4', 3500]]);
    expect((await nextAccount(s, 'a1', AT, packsFor)).item?.accountId).toBe('L-2');
  });

  it('queues a reference call for the reference, asks the gate for them, and never again once they refused', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000, 'L-2': 5000 }, { 'L-1': 'reference' });
    await addParties(s.db, [
      { id: 'R-1', accountId: 'L-1', kind: 'reference', relation: 'sibling', name: 'Bo Lee', phones: ['+13125550111'], languages: ['es'] },
      { id: 'R-2', accountId: 'L-1', kind: 'reference', relation: 'friend', name: 'Cy Lee', phones: ['+13125550112'] },
      { id: 'E-1', accountId: 'L-2', kind: 'employer', name: 'Acme', phones: [] },
    ]);
    await addUser(s, { id: 'en', name: 'En', role: 'agent', capacity: 10, skills: { languages: ['en'] } });
    await addUser(s, { id: 'es', name: 'Es', role: 'agent', capacity: 10, skills: { languages: ['es'] } });
    const out = await buildQueueForDate(s, DATE);
    // R-1 (first by id) speaks Spanish: dealt to the Spanish-speaking agent
    expect(out.map((a) => [a.accountId, a.partyId, a.partyKind, a.agentId])).toEqual([['L-1', 'R-1', 'reference', 'es'], ['L-2', null, 'borrower', 'en']]);
    const n = await nextAccount(s, 'es', AT, packsFor);
    expect(n.item).toMatchObject({ accountId: 'L-1', partyId: 'R-1', partyKind: 'reference' });
    expect(n.partyName).toBe('Bo Lee');
    expect(n.borrowerName).toBe('Borrower L-1');
    // the third-party rules apply: a location call to the reference's number, in Chicago's hours
    expect(n.request).toMatchObject({ party: { id: 'R-1', kind: 'reference' }, purpose: 'location', contactPoint: { id: '+13125550111' } });
    expect((await nextAccount(s, 'es', '2026-03-02T13:30:00Z', packsFor)).skipped[0]).toMatchObject({ rule: 'us-regf/hours', nextAllowedAt: '2026-03-02T14:00:00.000Z' });

    const w = await wrapUp(s, n.item?.id ?? -1, 'refused_contact', { at: AT, packsFor, note: 'do not call me again' });
    expect(w.result?.actKind).toBe('refused_contact');
    const attempt = await s.db.selectFrom('attempts').select(['party', 'party_id', 'outcome', 'agent_id', 'note']).executeTakeFirstOrThrow();
    expect(attempt).toEqual({ party: 'reference', party_id: 'R-1', outcome: 'refused_contact', agent_id: 'es', note: 'do not call me again' });

    // the next day's reference call goes to R-2; once R-2 refuses too, no reference is queued
    await task(s, { 'L-1': 0 }, { 'L-1': 'reference' }, '2026-03-03');
    expect((await buildQueueForDate(s, '2026-03-03')).map((a) => [a.partyId, a.agentId])).toEqual([['R-2', 'en']]);
    const n2 = await nextAccount(s, 'en', '2026-03-03T15:00:00Z', packsFor);
    expect(n2.request?.party.id).toBe('R-2');
    await wrapUp(s, n2.item?.id ?? -1, 'refused_contact', { at: '2026-03-03T15:00:00Z', packsFor });
    await task(s, { 'L-1': 0 }, { 'L-1': 'reference' }, '2026-03-04');
    expect((await buildQueueForDate(s, '2026-03-04'))[0]).toMatchObject({ agentId: null, reason: 'every reference on file with a number refused further contact' });
    // an employer without a number is not queued either
    await task(s, { 'L-2': 0 }, { 'L-2': 'employer' }, '2026-03-05');
    expect((await buildQueueForDate(s, '2026-03-05'))[0]).toMatchObject({ agentId: null, reason: 'no employer on file has a number in use' });
  });

  it('skips a reference the gate blocks for that party (once per person after a conversation), not for the borrower', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000 }, { 'L-1': 'reference' });
    await addParties(s.db, [{ id: 'R-1', accountId: 'L-1', kind: 'reference', relation: 'sibling', name: 'Bo', phones: ['+12125550111'] }]);
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 10 });
    await buildQueueForDate(s, DATE);
    const first = await nextAccount(s, 'a1', AT, packsFor);
    await wrapUp(s, first.item?.id ?? -1, 'conversation', { at: AT, packsFor });
    // a borrower call on the same account is still allowed; the reference's next call is not (1692b(3))
    await task(s, { 'L-1': 0 }, { 'L-1': 'reference' }, '2026-03-10');
    await task(s, { 'L-1': 0 }, {}, '2026-03-10');
    await buildQueueForDate(s, '2026-03-10');
    const n = await nextAccount(s, 'a1', '2026-03-10T15:00:00Z', packsFor);
    expect(n.skipped.map((k) => [k.item.partyId, k.rule])).toEqual([['R-1', 'us-regf/third-parties']]);
    expect(n.item).toMatchObject({ partyId: null, partyKind: 'borrower' });
  });

  it('wrap-up with a promise: one transaction for the result, the item and the task; a bad promise records no decision', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000, 'L-2': 9000 });
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 10 });
    await buildQueueForDate(s, DATE);
    const item = await itemOf(s, 'L-1');
    const noPromise = await catchValidationAsync(() => wrapUp(s, item, 'promise', { at: AT, packsFor }));
    expect(noPromise.field).toBe('promise');
    const early = await catchValidationAsync(() => wrapUp(s, item, 'promise', { at: AT, packsFor, promise: { amount: 5000, due: '2026-03-01' } }));
    expect(early.field).toBe('promise.due');
    // more than the account owes (account_state.total: 1,000.00), or due beyond PROMISE_MAX_DAYS: refused before the gate too
    const tooMuch = await catchValidationAsync(() => wrapUp(s, item, 'promise', { at: AT, packsFor, promise: { amount: 99999999999, due: '2026-03-06' } }));
    expect([tooMuch.field, tooMuch.rule]).toEqual(['promise.amount', 'must not exceed the balance owed, 1,000.00 USD, got 999,999,999.99']);
    const tooLate = await catchValidationAsync(() => wrapUp(s, item, 'promise', { at: AT, packsFor, promise: { amount: 5000, due: '2099-01-01' } }));
    expect([tooLate.field, tooLate.rule]).toEqual(['promise.due', 'must be at most 60 days after the date the promise was made (2026-03-02), so 2026-05-01 at the latest, got 2099-01-01']);
    // an outcome a call cannot have (an SMS's sent / failed): refused before the gate, the item stays open
    const sent = await catchValidationAsync(() => wrapUp(s, item, 'sent', { at: AT, packsFor }));
    expect([sent.field, sent.rule]).toEqual(['outcome', expect.stringMatching(/^must be one of no_answer, busy, .* for a call, got "sent"$/)]);
    expect(await s.db.selectFrom('gate_decisions').select('id').execute()).toEqual([]);
    expect((await s.db.selectFrom('queue_items').select('status').where('id', '=', item).executeTakeFirstOrThrow()).status).toBe('open');
    const w = await wrapUp(s, item, 'promise', { at: AT, packsFor, promise: { amount: 5000, due: '2026-03-06' } });
    expect(w.result).toMatchObject({ duplicate: false, actKind: null });
    expect(await s.db.selectFrom('attempts').select(['promise_amount', 'promise_due', 'decision_id']).execute())
      .toEqual([{ promise_amount: 5000, promise_due: '2026-03-06', decision_id: w.decision.id }]);
    const again = await wrapUp(s, item, 'promise', { at: AT, packsFor, promise: { amount: 5000, due: '2026-03-06' } });
    expect(again.result?.duplicate).toBe(true);
    expect((await catchValidationAsync(() => wrapUp(s, item, 'promise', { at: AT, packsFor, promise: { amount: 5001, due: '2026-03-06' } }))).field).toBe('item');
    await wrapUp(s, await itemOf(s, 'L-2'), 'reached_person', { at: AT, packsFor });
    expect(await queueStatus(s.db, DATE)).toEqual([{ agentId: 'a1', assigned: 2, done: 2, skipped: 0, open: 0, promises: 1, rightPartyContacts: 1 }]);
    expect((await s.db.selectFrom('tasks').select('status').orderBy('id').execute()).map((t) => t.status)).toEqual(['done', 'done']);
  });

  it('wrap-up shows a caller number: the gate blocks one that is not the lender\'s, and the item stays open', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000 });
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 10 });
    await addCallerNumber(s.db, { number: '+12125550199' }, { now: '2026-03-01T00:00:00Z' });
    await buildQueueForDate(s, DATE);
    const item = await itemOf(s, 'L-1');
    const foreign = await wrapUp(s, item, 'no_answer', { at: AT, packsFor, callerNumber: '+12125550100' });
    expect(foreign.decision).toMatchObject({ allowed: false, rule: 'registered-caller-number' });
    expect(foreign.item.status).toBe('open');
    const ok = await wrapUp(s, item, 'no_answer', { at: '2026-03-02T15:05:00Z', packsFor, callerNumber: '+1 212 555 0199' });
    expect(ok.decision.allowed).toBe(true);
    expect(await s.db.selectFrom('gate_decisions').select(['allowed', 'caller_number']).orderBy('id').execute())
      .toEqual([{ allowed: 0, caller_number: '+12125550100' }, { allowed: 1, caller_number: '+12125550199' }]);
  });

  it('a supervisor re-assigns an open item to an agent with the skills; audited', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000 });
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 10 });
    await addUser(s, { id: 'uk', name: 'Uk', role: 'agent', capacity: 10, skills: { jurisdictions: ['uk-conc'] } });
    await addUser(s, { id: 'm2', name: 'Em', role: 'agent', capacity: 10, skills: { buckets: ['M2'] } });
    await addUser(s, { id: 'b1', name: 'Bo', role: 'agent', capacity: 0 });
    await addUser(s, { id: 'boss', name: 'Boss', role: 'supervisor' });
    await addUser(s, { id: 'fa', name: 'Field', role: 'field_agent' });
    await buildQueueForDate(s, DATE);
    const item = await itemOf(s, 'L-1');
    const err = async (agent: string, by: string) => {
      const e = await catchValidationAsync(() => assignItem(s, item, agent, by));
      return `${e.field}: ${e.rule}`;
    };
    expect(await err('b1', 'a1')).toBe('by: a1 is an agent: only a supervisor re-assigns queue items');
    expect(await err('b1', 'nobody')).toBe('by: unknown user nobody');
    expect(await err('uk', 'boss')).toBe('agent: uk lacks the skills for queue item 1: jurisdiction us-regf is not among uk\'s jurisdictions (uk-conc)');
    expect(await err('m2', 'boss')).toBe('agent: m2 lacks the skills for queue item 1: bucket M1 is not among m2\'s buckets (M2)');
    expect(await err('fa', 'boss')).toBe('agent: fa is a field_agent: only agent and agency_agent users take calls from the queue');
    expect(await err('a1', 'boss')).toBe('agent: queue item 1 is already a1\'s');
    // capacity is the supervisor's call: b1 (capacity 0) may take it
    const moved = await assignItem(s, item, 'b1', 'boss', { now: '2026-03-02T16:00:00Z' });
    expect(moved.agentId).toBe('b1');
    expect((await nextAccount(s, 'b1', AT, packsFor)).item?.id).toBe(item);
    expect((await nextAccount(s, 'a1', AT, packsFor)).item).toBeNull();
    const entry = await s.db.selectFrom('audit_log').selectAll().where('kind', '=', 'queue.assign').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor: 'boss', entity: `queue_item:${item}`, at: '2026-03-02T16:00:00.000Z' });
    expect(JSON.parse(entry.data)).toEqual({ item, account: 'L-1', from: 'a1', to: 'b1' });
    expect((await verifyAudit(s.db)).ok).toBe(true);
    await wrapUp(s, item, 'no_answer', { at: AT, packsFor });
    expect(await err('a1', 'boss')).toBe(`item: queue item ${item} is done: only open items are re-assigned`);
  });
});
