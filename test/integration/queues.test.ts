/**
 * Work queues at the store, on SQLite and PostgreSQL: building a date's queue from planned call
 * tasks (priority from overdue and the stage move's facts, skills, capacity, idempotent), the next
 * callable account (the gate asked, nothing recorded; blocked items skipped with nextAllowedAt),
 * wrap-up (one gate decision, outcome recorded, item done), status per agent.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRulePack } from '../../src/compliance/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import type { Store } from '../../src/store/db.js';
import { recordAct } from '../../src/store/acts.js';
import { saveJurisdiction } from '../../src/store/gate.js';
import { addUser, assignItem, buildQueueForDate, nextAccount, queueStatus, skipItem, wrapUp, type PacksFor } from '../../src/store/queues.js';
import { insertLoans } from '../../src/store/repo.js';
import { borrowerToRow } from '../../src/store/codec.js';
import { addAgency } from '../../src/store/agencies.js';
import { BACKENDS } from '../support/stores.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const packsFor: PacksFor = () => Promise.resolve({ packs: [regf], holidays: [] });
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const DATE = '2026-03-02';
// L-1 in Los Angeles, L-2 and L-3 in New York, L-4 in New York with a reference call
const zones: Record<string, [string, string]> = { 'L-1': ['America/Los_Angeles', '+12135550101'], 'L-2': ['America/New_York', '+12125550102'], 'L-3': ['America/New_York', '+12125550103'], 'L-4': ['America/New_York', '+12125550104'] };
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: `Borrower ${id}`, timezone: zones[id]?.[0] ?? 'UTC', phones: [zones[id]?.[1] ?? '+12125550100'], emails: [], addresses: [{ kind: 'residential' as const, line: '1 Main St', country: 'US' }] },
});

async function seed(s: Store, overdue: Record<string, number>): Promise<void> {
  await insertLoans(s.db, Object.keys(zones).map(loan));
  for (const [id, o] of Object.entries(overdue)) await s.db.updateTable('account_state').set({ overdue: o, bucket: 'M1' }).where('account_id', '=', id).execute();
  await saveJurisdiction(s.db, null, ['us-regf']);
  let n = 0;
  for (const id of Object.keys(overdue)) {
    await s.db.insertInto('tasks').values({
      account_id: id, business_date: DATE, type: 'call', party: id === 'L-4' ? 'reference' : 'borrower', channel: 'call', template: null, priority: 5,
      window: null, stage: 'reminder', seq: ++n, address: null, status: 'planned',
    }).execute();
  }
  // a task of another type or date is not queued
  await s.db.insertInto('tasks').values({ account_id: 'L-1', business_date: DATE, type: 'sms', party: 'borrower', channel: 'sms', template: null, priority: 5, window: null, stage: 'reminder', seq: 1, address: null, status: 'planned' }).execute();
  await s.db.insertInto('tasks').values({ account_id: 'L-1', business_date: '2026-03-03', type: 'call', party: 'borrower', channel: 'call', template: null, priority: 5, window: null, stage: 'reminder', seq: 1, address: null, status: 'planned' }).execute();
}

/** Places an account with a (new) agency from the queue date on, as `agency place` would. */
async function placeWith(s: Store, accountId: string, agencyId: string): Promise<void> {
  if (!(await s.db.selectFrom('agencies').select('id').where('id', '=', agencyId).executeTakeFirst())) {
    await addAgency(s, { id: agencyId, name: agencyId, commission: { M1: '0.15' }, placementDays: 30, capacity: 10, regions: ['US'] });
  }
  await s.db.insertInto('placements').values({
    account_id: accountId, agency_id: agencyId, rule_id: 'test', bucket: 'M1', balance: 10000, currency: 'USD', placed_on: DATE, ends_on: '2026-04-01',
    recalled_on: null, recall_reason: null, recall_ref: null, seed: '1', placed_at: `${DATE}T08:00:00.000Z`,
  }).execute();
}

describe.each(BACKENDS)('work queues on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('builds a date\'s queue once: priority from overdue, propensity and broken promises; skills; capacity; reasons', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000, 'L-2': 8000, 'L-3': 6000, 'L-4': 50000 });
    // L-3's last stage move saw propensity 0.9, and a promise due 02-25 was broken by the queue date: 6000 × 0.9 × 1.5 = 8100
    await s.db.insertInto('stage_moves').values({ account_id: 'L-3', business_date: '2026-03-01', from_stage: null, to_stage: 'reminder', strategy: 'default@1', variant: null, condition: 'true', facts: JSON.stringify({ propensity: 0.9, promises: { broken: 0 } }) }).execute();
    await s.db.insertInto('attempts').values({ account_id: 'L-3', business_date: '2026-02-20', time: '10:00', party: 'borrower', channel: 'call', outcome: 'promise', promise_amount: 5000, promise_due: '2026-02-25' }).execute();
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 1, skills: { jurisdictions: ['us-regf'], buckets: ['M1'] } });
    await addUser(s, { id: 'a2', name: 'Bo', role: 'agent', capacity: 1 });
    await addUser(s, { id: 'uk', name: 'Cy', role: 'agent', capacity: 5, skills: { jurisdictions: ['uk-conc'] } });
    const out = await buildQueueForDate(s, DATE);
    expect(out.map((a) => [a.accountId, a.agentId, a.priority])).toEqual([
      ['L-4', null, 25000], ['L-3', 'a1', 8100], ['L-1', 'a2', 5000], ['L-2', null, 4000],
    ]);
    expect(out[0]?.reason).toBe('no reference on file for the account');
    expect(out[3]?.reason).toBe('all 2 agent(s) with the skills (bucket M1, jurisdiction us-regf) are at capacity');
    // building again retries only the unassigned ones; with an agent added, L-2 is dealt to them
    expect((await buildQueueForDate(s, DATE)).map((a) => [a.accountId, a.agentId])).toEqual([['L-4', null], ['L-2', null]]);
    await addUser(s, { id: 'a3', name: 'Di', role: 'agent', capacity: 1 });
    expect((await buildQueueForDate(s, DATE)).map((a) => [a.accountId, a.agentId])).toEqual([['L-4', null], ['L-2', 'a3']]);
    expect(await queueStatus(s.db, DATE)).toEqual([
      { agentId: 'a1', assigned: 1, done: 0, skipped: 0, open: 1, promises: 0, rightPartyContacts: 0 },
      { agentId: 'a2', assigned: 1, done: 0, skipped: 0, open: 1, promises: 0, rightPartyContacts: 0 },
      { agentId: 'a3', assigned: 1, done: 0, skipped: 0, open: 1, promises: 0, rightPartyContacts: 0 },
      { agentId: null, assigned: 1, done: 0, skipped: 0, open: 1, promises: 0, rightPartyContacts: 0 },
    ]);
    expect(await s.db.selectFrom('queue_items').select('id').execute()).toHaveLength(4);
  });

  it('next account skips borrowers the gate blocks now (hours, a cease), records nothing; wrap-up records one decision', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000, 'L-2': 8000, 'L-3': 6000 });
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 10 });
    await buildQueueForDate(s, DATE);
    // 13:30Z: 08:30 in New York, 05:30 in Los Angeles
    const at = '2026-03-02T13:30:00Z';
    const n = await nextAccount(s, 'a1', at, packsFor);
    expect(n.skipped.map((k) => [k.item.accountId, k.rule, k.nextAllowedAt])).toEqual([['L-1', 'us-regf/hours', '2026-03-02T16:00:00.000Z']]);
    expect(n.item?.accountId).toBe('L-2');
    expect(n.borrowerName).toBe('Borrower L-2');
    expect(n.request).toMatchObject({ debtId: 'L-2', channel: 'call', party: { id: 'B-L-2', kind: 'borrower' }, contactPoint: { id: '+12125550102' } });
    expect(await s.db.selectFrom('gate_decisions').select('id').execute()).toEqual([]);

    // a cease request on L-2: it is skipped with no next time, L-3 comes next
    await recordAct(s, { kind: 'cease', debtId: 'L-2', partyId: null, at: '2026-03-02T12:00:00Z', source: 'letter' });
    const n2 = await nextAccount(s, 'a1', at, packsFor);
    expect(n2.skipped.map((k) => [k.item.accountId, k.nextAllowedAt])).toEqual([['L-1', '2026-03-02T16:00:00.000Z'], ['L-2', null]]);
    expect(n2.skipped[1]?.rule).toBe('us-regf/cease');
    expect(n2.item?.accountId).toBe('L-3');

    const item = n2.item?.id ?? -1;
    const w = await wrapUp(s, item, 'no_answer', { at, packsFor });
    expect(w.decision).toMatchObject({ allowed: true });
    const decisions = await s.db.selectFrom('gate_decisions').select(['id', 'debt_id', 'agent_id', 'outcome']).execute();
    expect(decisions.map((d) => [Number(d.id), d.debt_id, d.agent_id, d.outcome])).toEqual([[w.decision.id, 'L-3', 'a1', 'no_answer']]);
    expect((await s.db.selectFrom('attempts').select(['account_id', 'outcome']).execute())).toEqual([{ account_id: 'L-3', outcome: 'no_answer' }]);
    // the same wrap-up again is a duplicate (no new decision); another outcome is refused
    const again = await wrapUp(s, item, 'no_answer', { at, packsFor });
    expect(again).toMatchObject({ decision: { id: w.decision.id, allowed: true }, result: { duplicate: true, decisionId: w.decision.id } });
    await expect(wrapUp(s, item, 'voicemail', { at, packsFor })).rejects.toThrow(`item: queue item ${item} was wrapped up already (decision ${w.decision.id})`);
    expect(await s.db.selectFrom('gate_decisions').select('id').execute()).toHaveLength(1);
    // the originating task is done
    expect((await s.db.selectFrom('tasks').select('status').where('id', '=', n2.item?.taskId ?? -1).executeTakeFirstOrThrow()).status).toBe('done');

    // nothing callable left at 13:30Z: the earliest next time is L-1's
    const n3 = await nextAccount(s, 'a1', at, packsFor);
    expect(n3.item).toBeNull();
    expect(n3.nextAt).toBe('2026-03-02T16:00:00.000Z');
    expect(await queueStatus(s.db, DATE)).toEqual([{ agentId: 'a1', assigned: 3, done: 1, skipped: 0, open: 2, promises: 0, rightPartyContacts: 0 }]);
    // a skipped item leaves the queue: L-1 no longer comes up once its hours open
    await skipItem(s, n3.skipped[0]?.item.id ?? -1, 'settled by phone banking');
    await expect(skipItem(s, n3.skipped[0]?.item.id ?? -1, 'again')).rejects.toThrow('no open queue item');
    expect((await nextAccount(s, 'a1', '2026-03-02T16:30:00Z', packsFor)).item).toBeNull();
    expect(await queueStatus(s.db, DATE)).toEqual([{ agentId: 'a1', assigned: 3, done: 1, skipped: 1, open: 1, promises: 0, rightPartyContacts: 0 }]);
  });

  it('deals an account placed with an agency only to that agency\'s agents; re-assigning across agencies is refused', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000, 'L-2': 8000, 'L-3': 6000 });
    await placeWith(s, 'L-1', 'AG-1');
    await placeWith(s, 'L-2', 'AG-2');
    await addUser(s, { id: 'in1', name: 'In', role: 'agent', capacity: 10 });
    await addUser(s, { id: 'x1', name: 'X', role: 'agency_agent', agencyId: 'AG-1', capacity: 10 });
    await addUser(s, { id: 'sup', name: 'Sup', role: 'supervisor' });
    const out = await buildQueueForDate(s, DATE);
    // L-1 → AG-1's agent; L-2 is placed with AG-2, which has no agent: unassigned, not given to the lender's agent; L-3 in house
    expect(out.map((a) => [a.accountId, a.agentId])).toEqual([['L-1', 'x1'], ['L-2', null], ['L-3', 'in1']]);
    expect(out[1]?.reason).toBe('no agent has the skills (agency AG-2, bucket M1, jurisdiction us-regf)');
    const l3 = await s.db.selectFrom('queue_items').select('id').where('account_id', '=', 'L-3').executeTakeFirstOrThrow();
    await expect(assignItem(s, Number(l3.id), 'x1', 'sup')).rejects.toThrow('x1 works for agency AG-1 and the account is not placed with it');
  });

  it('deals a borrower call by the borrower\'s languages: a zh-CN-only borrower to the zh-CN speaker; re-assigning to an English-only agent is refused', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000, 'L-2': 8000 });
    const zh = borrowerToRow({ ...loan('L-1').borrower, languages: ['zh-CN'] });
    await s.db.updateTable('borrowers').set({ data: zh.data }).where('id', '=', 'B-L-1').execute();
    await addUser(s, { id: 'en', name: 'En', role: 'agent', capacity: 10, skills: { languages: ['en'] } });
    await addUser(s, { id: 'mei', name: 'Mei', role: 'agent', capacity: 10, skills: { languages: ['zh-CN'] } });
    await addUser(s, { id: 'sup', name: 'Sup', role: 'supervisor' });
    const out = await buildQueueForDate(s, DATE);
    // L-1's borrower speaks zh-CN only; L-2's languages are unknown, so anyone may take it (round-robin: en)
    expect(out.map((a) => [a.accountId, a.agentId, a.partyKind])).toEqual([['L-1', 'mei', 'borrower'], ['L-2', 'en', 'borrower']]);
    const l1 = await s.db.selectFrom('queue_items').select('id').where('account_id', '=', 'L-1').executeTakeFirstOrThrow();
    await expect(assignItem(s, Number(l1.id), 'en', 'sup')).rejects.toThrow("en speaks none of the contactee's languages (zh-CN; en: en)");
  });

    it('queues a day of more calls than one SQL statement can carry (chunked inserts)', async () => {
    store = await backend.open();
    const s = store;
    const ids = Array.from({ length: 3000 }, (_, i) => `M-${String(i).padStart(5, '0')}`);
    await insertLoans(s.db, ids.map((id) => ({ ...loan(id), borrower: { ...loan(id).borrower, timezone: 'America/New_York', phones: ['+12125550100'] } })));
    await s.db.updateTable('account_state').set({ overdue: 1000, bucket: 'M1' }).execute();
    await saveJurisdiction(s.db, null, ['us-regf']);
    for (let i = 0; i < ids.length; i += 500) {
      await s.db.insertInto('tasks').values(ids.slice(i, i + 500).map((id, k) => ({
        account_id: id, business_date: DATE, type: 'call', party: 'borrower', channel: 'call', template: null, priority: 5, window: null, stage: 'reminder', seq: i + k, address: null, status: 'planned',
      }))).execute();
    }
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agent', capacity: 5000 });
    const out = await buildQueueForDate(s, DATE);
    expect(out.filter((a) => a.agentId === 'a1')).toHaveLength(3000);
    expect((await queueStatus(s.db, DATE))[0]).toMatchObject({ agentId: 'a1', assigned: 3000, open: 3000 });
  });

  it('wrap-up on a blocked item records the blocked decision and leaves the item open', async () => {
    store = await backend.open();
    const s = store;
    await seed(s, { 'L-1': 10000 });
    await placeWith(s, 'L-1', 'AG-1');
    await addUser(s, { id: 'a1', name: 'Ann', role: 'agency_agent', agencyId: 'AG-1', capacity: 10 });
    const [a] = await buildQueueForDate(s, DATE);
    const items = await s.db.selectFrom('queue_items').select('id').execute();
    const w = await wrapUp(s, Number(items[0]?.id), 'no_answer', { at: '2026-03-02T13:30:00Z', packsFor });
    expect(a?.agentId).toBe('a1');
    expect(w.decision).toMatchObject({ allowed: false, rule: 'us-regf/hours' });
    expect(w.item.status).toBe('open');
    expect(await s.db.selectFrom('gate_decisions').select(['agent_id', 'agency_id', 'allowed']).execute()).toEqual([{ agent_id: 'a1', agency_id: 'AG-1', allowed: 0 }]);
    expect((await queueStatus(s.db))[0]).toMatchObject({ open: 1, done: 0 });
  });
});
