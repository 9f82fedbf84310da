/**
 * The voice dialer at the store, on SQLite and PostgreSQL: caller numbers registered per owner and
 * checked by the gate (unregistered, retired, another owner's: blocked with `registered-caller-number`;
 * the packs still checked; the number kept on the decision); rotating caller numbers cannot get past
 * a call cap; the export's windows (us-regf hours in every zone, fewer after a cap filled, none
 * under a cease, retired and wrong numbers left out, nothing recorded); the import (gate decision and
 * contact result per call, idempotent by call id, conflicts and bad rows reported, strict mode,
 * blocked calls recorded as compliance exceptions).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptRequest, loadRulePack, type GateContext } from '../../src/compliance/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import { parseResults } from '../../src/channels/dialer.js';
import type { Store } from '../../src/store/db.js';
import { recordAct } from '../../src/store/acts.js';
import { addAgency } from '../../src/store/agencies.js';
import { addCallerNumber, listCallerNumbers, retireCallerNumber } from '../../src/store/caller-numbers.js';
import { dialerExport, importDialerResults, type PacksFor } from '../../src/store/dialer.js';
import { decideAndRecord, recordGateOutcome, saveJurisdiction } from '../../src/store/gate.js';
import { addParties } from '../../src/store/parties.js';
import { addUser } from '../../src/store/queues.js';
import { insertLoans } from '../../src/store/repo.js';
import { BACKENDS } from '../support/stores.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const packsFor: PacksFor = () => Promise.resolve({ packs: [regf], holidays: [] });
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const DATE = '2026-03-02';
const T0 = '2026-01-01T00:00:00.000Z';
// [zone, phones]: L-3 lives in New York with a Los Angeles number (both zones bind)
const borrowers: Record<string, [string, string[]]> = {
  'L-1': ['America/New_York', ['+12125550101', '+12125550111']],
  'L-2': ['America/Los_Angeles', ['+12135550102']],
  'L-3': ['America/New_York', ['+12135550103']],
  'L-4': ['America/New_York', ['+12125550104']],
  'L-5': ['America/New_York', ['+12125550105']],
};
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 100000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: `Borrower ${id}`, timezone: borrowers[id]?.[0] ?? 'UTC', phones: borrowers[id]?.[1] ?? [], emails: [], addresses: [{ kind: 'residential' as const, line: '1 Main St', country: 'US' }] },
});
const ctx = (): Omit<GateContext, 'history'> => ({ packs: [regf], holidays: [], holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false });
const call = (account: string, at: string, to?: string) => attemptRequest(
  { id: `B-${account}`, kind: 'borrower', zones: [borrowers[account]?.[0] ?? 'UTC'], flags: {}, phones: borrowers[account]?.[1] ?? [], emails: [], addresses: [] },
  { accountId: account, channel: 'call', at, ...(to ? { to } : {}) },
);

async function task(s: Store, account: string, party: string, priority = 5): Promise<number> {
  const r = await s.db.insertInto('tasks').values({
    account_id: account, business_date: DATE, type: 'call', party, channel: 'call', template: null, priority, window: null, stage: 'reminder', seq: 1, address: null, status: 'planned',
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

async function seed(s: Store): Promise<void> {
  await insertLoans(s.db, Object.keys(borrowers).map(loan));
  await saveJurisdiction(s.db, null, ['us-regf']);
  await addAgency(s, { id: 'acme', name: 'ACME', commission: { M2: '0.2' }, placementDays: 30, capacity: 10, regions: ['US'] }, { now: T0 });
  await addCallerNumber(s.db, { number: '+1 212 555 0900', label: 'collections NY' }, { now: T0 });
  await addCallerNumber(s.db, { number: '+12125550901' }, { now: T0 });
  await addCallerNumber(s.db, { number: '+12125550950', agencyId: 'acme' }, { now: T0 });
  await addUser(s, { id: 'ann', name: 'Ann', role: 'agent' });
  await addUser(s, { id: 'acme-kim', name: 'Kim', role: 'agency_agent', agencyId: 'acme' });
}

const count = async (s: Store): Promise<number> => (await s.db.selectFrom('gate_decisions').select('id').execute()).length;

describe.each(BACKENDS)('voice dialer on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('registers caller numbers per owner; the gate blocks unregistered, retired and other owners\' numbers and stores the number', async () => {
    store = await backend.open();
    const s = store;
    await seed(s);
    await expect(addCallerNumber(s.db, { number: '+12125550900' })).rejects.toThrow('is registered already (to the lender');
    await expect(addCallerNumber(s.db, { number: '+12125550960', agencyId: 'nobody' })).rejects.toThrow('unknown agency "nobody"');
    await expect(addCallerNumber(s.db, { number: '2125550960' })).rejects.toThrow('number: must be a valid international phone number');
    await retireCallerNumber(s.db, '+12125550901', { now: '2026-02-01T00:00:00Z' });
    expect((await listCallerNumbers(s.db)).map((c) => [c.number, c.owner, c.label, c.retiredAt])).toEqual([
      ['+12125550900', 'lender', 'collections NY', null], ['+12125550901', 'lender', null, '2026-02-01T00:00:00.000Z'], ['+12125550950', 'acme', null, null],
    ]);
    expect((await listCallerNumbers(s.db, { inUse: true, owner: 'lender' })).map((c) => c.number)).toEqual(['+12125550900']);

    const at = '2026-03-02T15:00:00Z'; // 10:00 in New York
    const cases: [string, string | null, string][] = [
      ['+12125550999', null, 'The caller number +12125550999 is not registered'],
      ['+12125550901', null, 'The caller number +12125550901 was retired at 2026-02-01T00:00:00.000Z'],
      ['+12125550950', null, 'The caller number +12125550950 is registered to agency acme; the lender\'s own agents may not use it'],
      ['+1 212-555-0900', 'acme', 'The caller number +12125550900 is registered to the lender; agency acme may not use it'],
    ];
    for (const [caller, agencyId, reason] of cases) {
      const d = await decideAndRecord(s, call('L-1', at), ctx(), { agentId: 'ann', agencyId, callerNumber: caller });
      expect(d).toMatchObject({ allowed: false, rule: 'registered-caller-number', nextAllowedAt: null });
      expect(d.reason).toContain(reason);
      // the packs' rules still ran
      expect(d.checked[0]).toBe('registered-caller-number');
      expect(d.checked).toContain('us-regf/7-in-7');
    }
    // outside hours with an unregistered number: the caller number is named, the packs' block too
    const both = await decideAndRecord(s, call('L-1', '2026-03-02T03:00:00Z'), ctx(), { callerNumber: '+12125550999' });
    expect(both.reason).toContain('The packs block it too (us-regf/hours)');
    // the lender's agent with the lender's number, the agency with its own: allowed
    const ok = await decideAndRecord(s, call('L-1', at), ctx(), { agentId: 'ann', callerNumber: '+12125550900' });
    expect(ok).toMatchObject({ allowed: true, rule: null });
    expect(ok.checked[0]).toBe('registered-caller-number');
    expect((await decideAndRecord(s, call('L-2', '2026-03-02T18:00:00Z'), ctx(), { agencyId: 'acme', callerNumber: '+12125550950' })).allowed).toBe(true);
    // a call before its number was registered is blocked too
    const early = await decideAndRecord(s, call('L-3', '2025-12-31T18:00:00Z'), ctx(), { callerNumber: '+12125550900' });
    expect(early.reason).toContain('was registered only at 2026-01-01T00:00:00.000Z, after this call');
    // no caller number: no check (SMS, letters, older callers)
    expect((await decideAndRecord(s, call('L-4', at), ctx())).checked[0]).not.toBe('registered-caller-number');

    const rows = await s.db.selectFrom('gate_decisions').select(['id', 'caller_number', 'allowed']).orderBy('id').execute();
    expect(rows.map((r) => [r.caller_number, r.allowed])).toEqual([
      ['+12125550999', 0], ['+12125550901', 0], ['+12125550950', 0], ['+12125550900', 0], ['+12125550999', 0], ['+12125550900', 1], ['+12125550950', 1], ['+12125550900', 0], [null, 1],
    ]);
  });

  it('rotating two registered caller numbers cannot get past the 7-in-7 call cap: attempts count per person', async () => {
    store = await backend.open();
    const s = store;
    await seed(s);
    const callers = ['+12125550900', '+12125550902'];
    await addCallerNumber(s.db, { number: callers[1] as string }, { now: T0 });
    for (let i = 0; i < 7; i++) {
      // two numbers of the borrower and two caller numbers, alternating
      const d = await decideAndRecord(s, call('L-1', `2026-03-02T${14 + i}:00:00Z`, borrowers['L-1']?.[1][i % 2]), ctx(), { callerNumber: callers[i % 2] as string });
      expect(d.allowed).toBe(true);
      await recordGateOutcome(s, d.id, 'no_answer');
    }
    for (const caller of callers) {
      const d = await decideAndRecord(s, call('L-1', '2026-03-02T22:00:00Z'), ctx(), { callerNumber: caller });
      expect(d).toMatchObject({ allowed: false, rule: 'us-regf/7-in-7' });
    }
  });

  it('exports each active number with the windows the gate allows: hours in every zone, a filled cap, a cease; records nothing', async () => {
    store = await backend.open();
    const s = store;
    await seed(s);
    await addParties(s.db, [{ id: 'R-1', accountId: 'L-1', kind: 'reference', relation: 'sibling', name: 'Bo Lee', phones: ['+13125550121', '+13125550122'] }]);
    // the reference's second number was wrong (retired); the borrower's second number too (its last outcome)
    await s.db.updateTable('parties').set({ data: JSON.stringify({ relation: 'sibling', timezone: null, languages: [], phones: [{ number: '+13125550121', type: 'mobile', consent: false, retiredAt: null }, { number: '+13125550122', type: 'mobile', consent: false, retiredAt: '2026-02-20T15:00:00.000Z' }], emails: [], addresses: [], forbidsCalls: false }) }).where('id', '=', 'R-1').execute();
    const wrong = await decideAndRecord(s, call('L-1', '2026-02-10T15:00:00Z', '+12125550111'), ctx());
    await recordGateOutcome(s, wrong.id, 'wrong_number');
    // L-4: seven calls on 2026-02-23 from 13:00 New York: the cap frees at 13:00 on 2026-03-02
    for (let i = 0; i < 7; i++) {
      const d = await decideAndRecord(s, call('L-4', `2026-02-23T18:0${i}:00Z`), ctx());
      await recordGateOutcome(s, d.id, 'no_answer');
    }
    // L-5: a cease request
    await recordAct(s, { kind: 'cease', debtId: 'L-5', partyId: null, at: '2026-02-25T12:00:00Z', source: 'letter' });
    const t1 = await task(s, 'L-1', 'borrower');
    const t2 = await task(s, 'L-2', 'borrower', 3);
    const t3 = await task(s, 'L-3', 'borrower');
    const t4 = await task(s, 'L-4', 'borrower');
    const t5 = await task(s, 'L-5', 'borrower');
    const t6 = await task(s, 'L-1', 'reference');
    const t7 = await task(s, 'L-2', 'reference');
    // not exported: another date, another type, done
    await s.db.insertInto('tasks').values({ account_id: 'L-1', business_date: '2026-03-03', type: 'call', party: 'borrower', channel: 'call', template: null, priority: 5, window: null, stage: 'reminder', seq: 1, address: null, status: 'planned' }).execute();
    await s.db.insertInto('tasks').values({ account_id: 'L-1', business_date: DATE, type: 'sms', party: 'borrower', channel: 'sms', template: null, priority: 5, window: null, stage: 'reminder', seq: 1, address: null, status: 'planned' }).execute();
    const before = await count(s);

    const e = await dialerExport(s, { date: DATE, packsFor });
    expect(await count(s)).toBe(before);
    const windows = e.rows.map((r) => [r.exportRowId, r.partyId, r.zone, r.purpose, r.windows.map((w) => `${w.local} ${w.from}/${w.to}`)]);
    expect(windows).toEqual([
      // priority 3 first, then priority 5 by account, party, number
      [`${DATE}/${t2}/+12135550102`, 'B-L-2', 'America/Los_Angeles', 'collect', ['08:00-21:00 2026-03-02T16:00:00.000Z/2026-03-03T05:00:00.000Z']],
      [`${DATE}/${t1}/+12125550101`, 'B-L-1', 'America/New_York', 'collect', ['08:00-21:00 2026-03-02T13:00:00.000Z/2026-03-03T02:00:00.000Z']],
      [`${DATE}/${t6}/+13125550121`, 'R-1', 'America/Chicago', 'location', ['08:00-20:00 2026-03-02T14:00:00.000Z/2026-03-03T02:00:00.000Z']],
      // New York borrower, Los Angeles number: 08:00 in Los Angeles until 21:00 in New York
      [`${DATE}/${t3}/+12135550103`, 'B-L-3', 'America/Los_Angeles', 'collect', ['08:00-18:00 2026-03-02T16:00:00.000Z/2026-03-03T02:00:00.000Z']],
      // the cap frees when the first of the seven calls leaves the rolling 168 hours
      [`${DATE}/${t4}/+12125550104`, 'B-L-4', 'America/New_York', 'collect', ['13:00-21:00 2026-03-02T18:00:00.000Z/2026-03-03T02:00:00.000Z']],
    ]);
    expect(e.noWindow.map((r) => [r.exportRowId, r.rule, r.nextAllowedAt])).toEqual([[`${DATE}/${t5}/+12125550105`, 'us-regf/cease', null]]);
    expect(e.noWindow[0]?.reason).toMatch(/cease/i);
    expect(e.noNumber).toEqual([{ taskId: t7, accountId: 'L-2', partyKind: 'reference', reason: 'no reference on file for the account' }]);
    expect(e.callerNumbers).toEqual(['+12125550900', '+12125550901']);
    // six numbers, 96 quarter-hours each, plus the edges refined to the minute
    expect(e.asked).toBeGreaterThanOrEqual(6 * 96);

    // an agency's export: only the accounts placed with it on the date
    await s.db.insertInto('placements').values({ account_id: 'L-2', agency_id: 'acme', rule_id: 'r', bucket: 'M2', balance: 100000, currency: 'USD', placed_on: '2026-02-15', ends_on: '2026-03-17', recalled_on: null, recall_reason: null, recall_ref: null, seed: 's', placed_at: T0 }).execute();
    const acme = await dialerExport(s, { date: DATE, agencyId: 'acme', packsFor });
    expect(acme.rows.map((r) => [r.accountId, r.placedWith])).toEqual([['L-2', 'acme']]);
    expect(acme.callerNumbers).toEqual(['+12125550950']);

    // a task dealt to an agent's queue is the agent's call: not exported (an unassigned item still is)
    const agent0 = (await s.db.selectFrom('users').select('id').where('agency_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()).id;
    for (const [taskId, agent] of [[t1, agent0], [t3, null]] as const) {
      await s.db.insertInto('queue_items').values({ task_id: taskId, business_date: DATE, account_id: taskId === t1 ? 'L-1' : 'L-3', agent_id: agent, priority: 1, status: 'open', reason: null, decision_id: null, outcome: null, updated_at: T0, party_id: null, party_kind: 'borrower' }).execute();
    }
    const rest = await dialerExport(s, { date: DATE, packsFor });
    expect(rest.rows.map((r) => r.exportRowId)).not.toContain(`${DATE}/${t1}/+12125550101`);
    expect(rest.rows.map((r) => r.exportRowId)).toContain(`${DATE}/${t3}/+12135550103`);

    // under cn a contact person may only be asked to pass a message: the reference's rows ask for that purpose
    const cn = loadRulePack(readFileSync('rule-packs/cn.yaml', 'utf8'), 'rule-packs/cn.yaml');
    const underCn = await dialerExport(s, { date: DATE, packsFor: () => Promise.resolve({ packs: [cn], holidays: [] }) });
    const r1 = [...underCn.rows, ...underCn.noWindow].filter((r) => r.partyId === 'R-1');
    expect(r1.length).toBeGreaterThan(0);
    expect(r1.every((r) => r.purpose === 'message')).toBe(true);
  });

  it('exports a number in the person\'s own zone when its area code spans several (a UK number: London, not Guernsey)', async () => {
    store = await backend.open();
    const s = store;
    await seed(s);
    await insertLoans(s.db, [{ ...loan('L-9'), borrower: { ...loan('L-9').borrower, timezone: 'Europe/London', phones: ['+447911123456'] } }]);
    await task(s, 'L-9', 'borrower');
    const e = await dialerExport(s, { date: DATE, packsFor });
    expect(e.rows.map((r) => [r.accountId, r.zone])).toEqual([['L-9', 'Europe/London']]);
    // a person elsewhere: the number's first zone, as before
    await s.db.updateTable('borrowers').set({ timezone: 'America/New_York' }).where('id', '=', 'B-L-9').execute();
    expect((await dialerExport(s, { date: DATE, packsFor })).rows.map((r) => r.zone)).toEqual(['Europe/Guernsey']);
  });

  it('imports calls through the gate: results recorded, duplicates skipped, conflicts and bad rows reported, blocked calls recorded', async () => {
    store = await backend.open();
    const s = store;
    await seed(s);
    const t1 = await task(s, 'L-1', 'borrower');
    const e = await dialerExport(s, { date: DATE, packsFor });
    const row = e.rows.find((r) => r.taskId === t1);
    expect(row?.windows.map((w) => w.local)).toEqual(['08:00-21:00']);
    const good = JSON.stringify([
      { callId: 'C-1', exportRowId: row?.exportRowId, callerNumber: '+12125550900', agent: 'ann', at: '2026-03-02T14:00:00Z', outcome: 'no_answer' },
      { callId: 'C-2', account: 'L-2', party: 'borrower', number: '+12135550102', callerNumber: '+12125550900', at: '2026-03-02T17:00:00Z', outcome: 'promise', promiseAmount: 5000, promiseDue: '2026-03-10' },
      // 22:00 in New York: the dialer called when it should not have
      { callId: 'C-3', account: 'L-3', party: 'B-L-3', number: '+12135550103', callerNumber: '+12125550900', at: '2026-03-03T03:00:00Z', outcome: 'no_answer' },
    ]);
    const r1 = await importDialerResults(s, parseResults(good, 'json'), { packsFor });
    expect(r1.rows.map((x) => [x.row, x.callId, x.status, x.rule])).toEqual([[1, 'C-1', 'imported', null], [2, 'C-2', 'imported', null], [3, 'C-3', 'blocked', 'us-regf/hours']]);
    expect(r1.rows[2]?.reason).toContain('Next allowed');
    const attempts = await s.db.selectFrom('attempts').select(['account_id', 'outcome', 'promise_amount', 'promise_due', 'decision_id', 'agent_id']).orderBy('id').execute();
    expect(attempts.map((a) => [a.account_id, a.outcome, a.promise_amount === null ? null : Number(a.promise_amount), a.promise_due, Number(a.decision_id), a.agent_id])).toEqual([
      ['L-1', 'no_answer', null, null, r1.rows[0]?.decisionId, 'ann'], ['L-2', 'promise', 5000, '2026-03-10', r1.rows[1]?.decisionId, null],
    ]);
    const decisions = await s.db.selectFrom('gate_decisions').select(['id', 'allowed', 'outcome', 'caller_number', 'agent_id']).orderBy('id').execute();
    expect(decisions.map((d) => [d.allowed, d.outcome, d.caller_number, d.agent_id])).toEqual([[1, 'no_answer', '+12125550900', 'ann'], [1, 'promise', '+12125550900', null], [0, null, '+12125550900', null]]);
    expect((await s.db.selectFrom('dialer_calls').select(['call_id', 'allowed']).orderBy('call_id').execute()).map((d) => [d.call_id, d.allowed])).toEqual([['C-1', 1], ['C-2', 1], ['C-3', 0]]);

    // the same file again (as CSV this time): every call a duplicate, nothing recorded
    const csv = [
      'call_id,export_row_id,account,party,number,caller_number,agent,at,outcome,promise_amount,promise_due',
      `C-1,${row?.exportRowId ?? ''},,,,+12125550900,ann,2026-03-02T09:00:00-05:00,no_answer,,`,
      'C-2,,L-2,borrower,+12135550102,+12125550900,,2026-03-02T17:00:00Z,promise,5000,2026-03-10',
      'C-3,,L-3,B-L-3,+12135550103,+12125550900,,2026-03-03T03:00:00Z,no_answer,,',
    ].join('\n');
    const r2 = await importDialerResults(s, parseResults(csv, 'csv'), { packsFor });
    // a call the gate blocked stays a compliance exception: reported as blocked again, with its recorded rule and decision
    expect(r2.rows.map((x) => [x.callId, x.status, x.rule, x.decisionId])).toEqual([
      ['C-1', 'duplicate', null, r1.rows[0]?.decisionId], ['C-2', 'duplicate', null, r1.rows[1]?.decisionId], ['C-3', 'blocked', 'us-regf/hours', r1.rows[2]?.decisionId],
    ]);
    expect(r2.rows[2]?.reason).toContain('imported already, decision');
    expect([r2.imported, r2.duplicates, r2.blocked, r2.rejected]).toEqual([0, 2, 1, 0]);
    expect(await count(s)).toBe(3);

    // a call id with other content is refused; a bad row is reported by row and field; good rows still go in
    const mixed = JSON.stringify([
      { callId: 'C-1', exportRowId: row?.exportRowId, callerNumber: '+12125550900', agent: 'ann', at: '2026-03-02T14:00:00Z', outcome: 'voicemail' },
      { callId: 'C-4', account: 'L-4', party: 'borrower', number: '+12125550104', callerNumber: '+12125550900', outcome: 'no_answer' },
      { callId: 'C-5', account: 'L-4', party: 'borrower', number: '+12125550199', callerNumber: '+12125550900', at: '2026-03-02T15:00:00Z', outcome: 'no_answer' },
      { callId: 'C-6', account: 'L-4', party: 'borrower', number: '+12125550104', callerNumber: '+12125550900', at: '2026-03-02T15:00:00Z', outcome: 'promise', promiseAmount: 100, promiseDue: '2026-03-01' },
      { callId: 'C-7', account: 'L-4', party: 'borrower', number: '+12125550104', callerNumber: '+12125550999', at: '2026-03-02T15:00:00Z', outcome: 'no_answer' },
      { callId: 'C-8', account: 'L-5', party: 'borrower', number: '+12125550105', callerNumber: '+12125550900', at: '2026-03-02T15:00:00Z', outcome: 'voicemail' },
      // a promise above the balance owed (1,000.00) or due beyond PROMISE_MAX_DAYS: rejected before the gate is asked
      { callId: 'C-9', account: 'L-4', party: 'borrower', number: '+12125550104', callerNumber: '+12125550900', at: '2026-03-02T15:00:00Z', outcome: 'promise', promiseAmount: 999999999999, promiseDue: '2026-03-10' },
      { callId: 'C-10', account: 'L-4', party: 'borrower', number: '+12125550104', callerNumber: '+12125550900', at: '2026-03-02T15:00:00Z', outcome: 'promise', promiseAmount: 100, promiseDue: '2099-01-01' },
    ]);
    // strict: nothing at all
    const strict = await importDialerResults(s, parseResults(mixed, 'json'), { packsFor, strict: true });
    expect(strict.aborted).toBe(true);
    expect(await count(s)).toBe(3);
    const r3 = await importDialerResults(s, parseResults(mixed, 'json'), { packsFor });
    expect(r3.rows.map((x) => [x.row, x.status, x.field ?? x.rule])).toEqual([
      [1, 'rejected', 'callId'], [2, 'rejected', 'at'], [3, 'rejected', 'number'], [4, 'rejected', 'promiseDue'],
      [5, 'blocked', 'registered-caller-number'], [6, 'imported', null], [7, 'rejected', 'promiseAmount'], [8, 'rejected', 'promiseDue'],
    ]);
    expect(r3.rows[6]?.reason).toBe('must not exceed the balance owed, 1,000.00 USD, got 9,999,999,999.99');
    expect(r3.rows[7]?.reason).toBe('must be at most 60 days after the date the promise was made (2026-03-02), so 2026-05-01 at the latest, got 2099-01-01');
    expect(r3.rows[0]?.reason).toContain('call C-1 was imported already with other content');
    expect(r3.rows[2]?.reason).toContain('+12125550199 is not a number on file for B-L-4');
    expect(r3.rows[4]?.reason).toContain('+12125550999 is not registered');
    expect(strict.rows.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(await count(s)).toBe(5);
  });

  it('import: agents known and on their agency\'s placements, numbers matched as on file, tasks done when the call is allowed, call outcomes only', async () => {
    store = await backend.open();
    const s = store;
    await seed(s);
    // a reference with a UK number in the fictional 07700 900xxx range (libphonenumber calls it invalid)
    await addParties(s.db, [{ id: 'R-1', accountId: 'L-1', kind: 'reference', relation: 'sibling', name: 'Bo Lee', phones: ['+447700900625'] }]);
    await s.db.insertInto('placements').values({ account_id: 'L-2', agency_id: 'acme', rule_id: 'r', bucket: 'M2', balance: 100000, currency: 'USD', placed_on: '2026-02-15', ends_on: '2026-03-17', recalled_on: null, recall_reason: null, recall_ref: null, seed: 's', placed_at: T0 }).execute();
    const t1 = await task(s, 'L-1', 'borrower');
    const t2 = await task(s, 'L-2', 'borrower');
    const t3 = await task(s, 'L-3', 'borrower');
    const t6 = await task(s, 'L-1', 'reference');
    const e = await dialerExport(s, { date: DATE, packsFor });
    expect([...new Set(e.rows.map((r) => r.taskId))].sort()).toEqual([t1, t2, t3, t6].sort());
    const rowOf = (t: number): string => e.rows.find((r) => r.taskId === t && r.number !== '+12125550111')?.exportRowId ?? '';
    const rows = JSON.stringify([
      // the export row of the borrower's task: allowed, the task is done
      { callId: 'K-1', exportRowId: rowOf(t1), callerNumber: '+12125550900', agent: 'ann', at: '2026-03-02T15:00:00Z', outcome: 'no_answer' },
      // the reference's UK number named by account, party and number (spaces as dialers write it): matched as on file
      { callId: 'K-2', account: 'L-1', party: 'R-1', number: '+44 7700 900625', callerNumber: '+12125550900', agent: 'ann', at: '2026-03-02T15:05:00Z', outcome: 'voicemail' },
      // the agency's agent on an account placed with it: allowed, its task (found by account and party kind) done
      { callId: 'K-3', account: 'L-2', party: 'borrower', number: '+12135550102', callerNumber: '+12125550950', agent: 'acme-kim', at: '2026-03-02T18:00:00Z', outcome: 'no_answer' },
      // the agency's agent on an account never placed with acme
      { callId: 'K-4', exportRowId: rowOf(t3), callerNumber: '+12125550950', agent: 'acme-kim', at: '2026-03-02T16:00:00Z', outcome: 'no_answer' },
      // an unknown agent
      { callId: 'K-5', exportRowId: rowOf(t3), callerNumber: '+12125550900', agent: 'nobody', at: '2026-03-02T16:00:00Z', outcome: 'no_answer' },
      // a number not on file for the party, and one not a number at all
      { callId: 'K-6', account: 'L-1', party: 'R-1', number: '+447700900626', callerNumber: '+12125550900', at: '2026-03-02T15:10:00Z', outcome: 'no_answer' },
      { callId: 'K-7', account: 'L-1', party: 'R-1', number: 'call me', callerNumber: '+12125550900', at: '2026-03-02T15:10:00Z', outcome: 'no_answer' },
      // an outcome a call cannot have
      { callId: 'K-8', exportRowId: rowOf(t3), callerNumber: '+12125550900', at: '2026-03-02T16:00:00Z', outcome: 'sent' },
      // 23:00 in New York: blocked, the task stays planned
      { callId: 'K-9', exportRowId: rowOf(t3), callerNumber: '+12125550900', agent: 'ann', at: '2026-03-03T04:00:00Z', outcome: 'no_answer' },
    ]);
    const r = await importDialerResults(s, parseResults(rows, 'json'), { packsFor });
    expect(r.rows.map((x) => [x.callId, x.status, x.field ?? x.rule])).toEqual([
      ['K-1', 'imported', null], ['K-2', 'imported', null], ['K-3', 'imported', null], ['K-4', 'rejected', 'agent'], ['K-5', 'rejected', 'agent'],
      ['K-6', 'rejected', 'number'], ['K-7', 'rejected', 'number'], ['K-8', 'rejected', 'outcome'], ['K-9', 'blocked', 'us-regf/hours'],
    ]);
    const reason = (id: string): string => r.rows.find((x) => x.callId === id)?.reason ?? '';
    expect(reason('K-4')).toBe('agency.scope: account L-3 is not placed with agency acme on 2026-03-02 (agent acme-kim works for it); an agency calls only the accounts placed with it');
    expect(reason('K-5')).toContain('unknown agent "nobody"');
    expect(reason('K-6')).toBe('+447700900626 is not a number on file for R-1 on account L-1');
    expect(reason('K-7')).toContain('must be a phone number in international form');
    expect(reason('K-8')).toMatch(/^must be one of no_answer, .* for a call, got "sent"$/);
    expect(reason('K-8')).not.toContain('failed');
    const decisions = await s.db.selectFrom('gate_decisions').select(['debt_id', 'party_id', 'contact_point', 'agent_id', 'agency_id', 'allowed']).orderBy('id').execute();
    expect(decisions).toEqual([
      { debt_id: 'L-1', party_id: 'B-L-1', contact_point: '+12125550101', agent_id: 'ann', agency_id: null, allowed: 1 },
      { debt_id: 'L-1', party_id: 'R-1', contact_point: '+447700900625', agent_id: 'ann', agency_id: null, allowed: 1 },
      { debt_id: 'L-2', party_id: 'B-L-2', contact_point: '+12135550102', agent_id: 'acme-kim', agency_id: 'acme', allowed: 1 },
      { debt_id: 'L-3', party_id: 'B-L-3', contact_point: '+12135550103', agent_id: 'ann', agency_id: null, allowed: 0 },
    ]);
    // the allowed calls' tasks are done (as a queue wrap-up), the blocked one's stays planned; the next export leaves them out
    const status = async (id: number) => (await s.db.selectFrom('tasks').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    expect([await status(t1), await status(t2), await status(t3), await status(t6)]).toEqual(['done', 'done', 'planned', 'done']);
    expect((await dialerExport(s, { date: DATE, packsFor })).rows.map((x) => x.taskId)).toEqual([t3]);

    // an import for an agency (--agency): the accounts placed with it only
    const forAcme = JSON.stringify([
      { callId: 'A-1', exportRowId: rowOf(t3), callerNumber: '+12125550950', at: '2026-03-02T16:00:00Z', outcome: 'no_answer' },
    ]);
    const a = await importDialerResults(s, parseResults(forAcme, 'json'), { packsFor, agencyId: 'acme' });
    expect(a.rows.map((x) => [x.status, x.field, x.reason])).toEqual([['rejected', 'agency', 'agency.scope: account L-3 is not placed with agency acme on 2026-03-02; an agency calls only the accounts placed with it']]);
    expect(await count(s)).toBe(4);
  });
});
