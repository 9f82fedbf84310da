/**
 * Field visits through the gate and into the strategy, on SQLite and PostgreSQL: a visit report is
 * recorded only against an allowed check-in decision (a check-in outside the cn visit hours, or with
 * one collector, is refused with the rule and the reason); its outcome lands on the decision and as a
 * contact attempt (a promise with channel visit and the field agent as taker); the stored reports
 * feed the `visits.*` facts (two failed residential visits → residentialFailed 2, counted once) and
 * a strategy condition on them moves the stage.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRulePack } from '../../src/compliance/index.js';
import { DEFAULT_BUCKETS, parseProduct } from '../../src/ledger/index.js';
import { factsFor, loadFactsInputs, runCycle, STEPS, step, strategyStep } from '../../src/cycle/index.js';
import { parseVisitReport } from '../../src/field/index.js';
import { loadStrategy } from '../../src/strategy/index.js';
import type { Store } from '../../src/store/db.js';
import { verifyAudit } from '../../src/store/audit.js';
import { rowToState } from '../../src/store/codec.js';
import { checkInVisit, recordVisitReport, reportVisit, visitReports, type VisitGateFor } from '../../src/store/field.js';
import { listPromises } from '../../src/store/outcomes.js';
import { addAgency } from '../../src/store/agencies.js';
import { addUser } from '../../src/store/queues.js';
import { insertLoans } from '../../src/store/repo.js';
import { catchValidationAsync } from '../support/errors.js';
import { BACKENDS } from '../support/stores.js';

const cn = loadRulePack(readFileSync('rule-packs/cn.yaml', 'utf8'), 'rule-packs/cn.yaml');
const gateFor: VisitGateFor = () => Promise.resolve({ packs: [cn], holidays: [] });
const product = parseProduct('p', { method: 'annuity', annualRate: 0.12, termMonths: 12 });
const HOME = '1 Nanjing Road, Shanghai';
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'CNY', principal: 100000, disbursed: '2026-01-01' },
  product,
  borrower: {
    id: `B-${id}`, name: `Borrower ${id}`, timezone: 'Asia/Shanghai', phones: [], emails: [],
    addresses: [{ kind: 'residential' as const, line: HOME, country: 'CN' }, { kind: 'id-card' as const, line: '9 Harbin Street, Harbin', country: 'CN' }],
  },
});
const recording = [{ name: 'visit.m4a', mediaType: 'audio/mp4', size: 4000 }];
const report = (date: string, at: string | null, extra: Record<string, unknown> = {}) => parseVisitReport({
  date, met: 'nobody', outcome: 'not_home', evidence: recording, checkIn: { lat: 31.23, lon: 121.47, ...(at ? { at } : {}) }, collectors: ['f1', 'f2'], ...extra,
}, { minCollectors: 2, recordingRequired: true });
// stages worst-first: two failed residential visits move the account on
const STRATEGY = loadStrategy([
  'name: visits-test', 'version: 1', 'stages:',
  '  - name: skip_trace', '    when: "visits.residentialFailed >= 2"', '    actions: [{ task: place_agency, once: true }]',
  '  - name: field_visit', '    when: "dpd >= 1"', '    actions: [{ task: visit, address: residential, when: "visits.residentialFailed < 2" }]',
  '  - { name: current, when: "true", quiet: true }', '',
].join('\n'), 'visits-test.yaml');

/** The lender's field agents f1, f2 (f3, f4 too: a team of them that did not check in). */
async function staff(s: Store): Promise<void> {
  for (const id of ['f1', 'f2', 'f3', 'f4']) await addUser(s, { id, name: `Field ${id}`, role: 'field_agent' });
}

describe.each(BACKENDS)('field visits through the gate on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('refuses a report the gate blocks (visit hours, two collectors) with the rule and the reason, recording only the blocked decision', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    await staff(s);
    // 23:00 in Shanghai: outside the cn visit hours 08:00–22:00
    const late = await reportVisit(s, 'L-1', report('2026-03-16', '2026-03-16T23:00:00+08:00'), { gateFor, now: '2026-03-16T15:30:00Z' });
    expect(late).toMatchObject({ recorded: false, rule: 'cn/hours' });
    if (late.recorded) throw new Error('expected a refusal');
    expect(late.reason).toMatch(/08:00/);
    expect(late.nextAllowedAt).toBe('2026-03-17T00:00:00.000Z');
    // one collector at 10:00: the cn field-visit rule needs two
    const alone = await checkInVisit(s, { accountId: 'L-1', at: '2026-03-16T10:00:00+08:00', collectors: ['f1'], recording: true, noticeGiven: true }, gateFor);
    expect(alone.decision).toMatchObject({ allowed: false, rule: 'cn/field-visit' });
    // a report naming that blocked decision is refused with its rule and reason
    const named = await reportVisit(s, 'L-1', parseVisitReport({ ...report('2026-03-16', null), collectors: ['f1'] }), { decisionId: alone.decision.id });
    expect(named).toMatchObject({ recorded: false, decisionId: alone.decision.id, rule: 'cn/field-visit', reason: alone.decision.reason });

    const decisions = await s.db.selectFrom('gate_decisions').select(['channel', 'allowed', 'rule', 'agent_id', 'contact_point']).orderBy('id').execute();
    expect(decisions).toEqual([
      { channel: 'visit', allowed: 0, rule: 'cn/hours', agent_id: 'f1', contact_point: HOME },
      { channel: 'visit', allowed: 0, rule: 'cn/field-visit', agent_id: 'f1', contact_point: HOME },
    ]);
    expect(await visitReports(s.db, 'L-1')).toEqual([]);
    expect(await s.db.selectFrom('attempts').select('id').execute()).toEqual([]);
    // no report without a decision or a check-in instant
    expect((await catchValidationAsync(() => reportVisit(s, 'L-1', report('2026-03-16', null), { gateFor }))).field).toBe('checkIn.at');
  });

  it('records a report against the allowed check-in: the outcome on the decision, a visit promise taken by the field agent; idempotent', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2')]);
    await staff(s);
    const c = await checkInVisit(s, { accountId: 'L-1', at: '2026-03-16T10:00:00+08:00', collectors: ['f1', 'f2'], recording: true, noticeGiven: true }, gateFor);
    expect(c).toMatchObject({ decision: { allowed: true, rule: null }, contactPoint: HOME, localDate: '2026-03-16' });
    const promised = report('2026-03-16', null, { met: 'borrower', outcome: 'promise', promise: { amount: 20000, date: '2026-03-23' } });

    // the decision must be this account's visit, the report's team must include who checked in, the date and address must match
    expect((await catchValidationAsync(() => reportVisit(s, 'L-2', promised, { decisionId: c.decision.id }))).rule).toBe(`decision ${c.decision.id} is about L-1, not L-2`);
    expect((await catchValidationAsync(() => reportVisit(s, 'L-1', { ...promised, collectors: ['f3', 'f4'] }, { decisionId: c.decision.id }))).field).toBe('collectors');
    expect((await catchValidationAsync(() => reportVisit(s, 'L-1', { ...promised, date: '2026-03-17', promise: { amount: 20000, date: '2026-03-23' } }, { decisionId: c.decision.id }))).field).toBe('date');
    expect((await catchValidationAsync(() => reportVisit(s, 'L-1', { ...promised, address: 'id_card' }, { decisionId: c.decision.id }))).field).toBe('address');

    const r = await reportVisit(s, 'L-1', promised, { decisionId: c.decision.id, actor: 'f1', now: '2026-03-16T03:00:00Z' });
    expect(r).toMatchObject({ recorded: true, decisionId: c.decision.id, duplicate: false });
    const d = await s.db.selectFrom('gate_decisions').select(['outcome']).where('id', '=', c.decision.id).executeTakeFirstOrThrow();
    expect(d.outcome).toBe('promise');
    const attempts = await s.db.selectFrom('attempts').select(['account_id', 'business_date', 'channel', 'outcome', 'agent_id', 'promise_amount', 'promise_due', 'decision_id']).execute();
    expect(attempts.map((a) => ({ ...a, promise_amount: Number(a.promise_amount), decision_id: Number(a.decision_id) }))).toEqual([{
      account_id: 'L-1', business_date: '2026-03-16', channel: 'visit', outcome: 'promise', agent_id: 'f1', promise_amount: 20000, promise_due: '2026-03-23', decision_id: c.decision.id,
    }]);
    const promises = await listPromises(s.db, { accountId: 'L-1', asOf: '2026-03-16', graceDays: 0 });
    expect(promises).toMatchObject([{ accountId: 'L-1', madeOn: '2026-03-16', amount: 20000, due: '2026-03-23', channel: 'visit', takenBy: 'f1', state: 'open' }]);
    expect(await visitReports(s.db, 'L-1')).toMatchObject([{ id: r.recorded ? r.id : 0, decisionId: c.decision.id, address: 'residential', outcome: 'promise', actor: 'f1' }]);

    // the same report again: a duplicate, nothing new; another report for the same decision: refused
    expect(await reportVisit(s, 'L-1', promised, { decisionId: c.decision.id })).toMatchObject({ recorded: true, duplicate: true });
    const other = await catchValidationAsync(() => reportVisit(s, 'L-1', { ...promised, notes: 'changed my mind' }, { decisionId: c.decision.id }));
    expect(other.rule).toMatch(/already has visit report/);
    expect(await s.db.selectFrom('visit_reports').select('id').execute()).toHaveLength(1);
    expect(await s.db.selectFrom('attempts').select('id').execute()).toHaveLength(1);
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('records the check-in\'s team with its decision; a report against it names exactly that team (order free)', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2'), loan('L-3')]);
    await staff(s);
    const checkIn = (accountId: string, collectors: string[]) => checkInVisit(s, { accountId, at: '2026-03-16T10:00:00+08:00', collectors, recording: true, noticeGiven: true }, gateFor);
    const c = await checkIn('L-1', ['f1', 'f2']);
    expect(c.decision.allowed).toBe(true);
    const teams = async () => (await s.db.selectFrom('field_checkins').selectAll().orderBy('decision_id').execute())
      .map((r) => ({ decision: Number(r.decision_id), account: r.account_id, collectors: JSON.parse(r.collectors) as unknown }));
    expect(await teams()).toEqual([{ decision: c.decision.id, account: 'L-1', collectors: ['f1', 'f2'] }]);
    const base = report('2026-03-16', null);

    // f3 was not at the check-in: refused, even though f1 checked in and f3 is of the same side
    const extra = await catchValidationAsync(() => reportVisit(s, 'L-1', { ...base, collectors: ['f1', 'f3'] }, { decisionId: c.decision.id }));
    expect([extra.field, extra.rule]).toEqual(['collectors', `the report names f3, who was not checked in for decision ${c.decision.id} (team: f1, f2): a visit report must name exactly the team that checked in`]);
    const fewer = await catchValidationAsync(() => reportVisit(s, 'L-1', { ...base, collectors: ['f2'] }, { decisionId: c.decision.id }));
    expect([fewer.field, fewer.rule]).toEqual(['collectors', expect.stringMatching(new RegExp(`^the report leaves out f1, who checked in for decision ${c.decision.id} \\(team: f1, f2\\)`))]);
    const more = await catchValidationAsync(() => reportVisit(s, 'L-1', { ...base, collectors: ['f1', 'f2', 'f3'] }, { decisionId: c.decision.id }));
    expect(more.rule).toMatch(/^the report names f3, who was not checked in/);
    // recordVisitReport (the report alone) checks the same team
    const alone = await catchValidationAsync(() => recordVisitReport(s.db, 'L-1', { ...base, collectors: ['f1', 'f3'] }, { decisionId: c.decision.id }));
    expect(alone.field).toBe('collectors');
    expect(await s.db.selectFrom('visit_reports').select('id').execute()).toEqual([]);
    expect(await s.db.selectFrom('attempts').select('id').execute()).toEqual([]);
    // the same team in another order: recorded
    expect(await reportVisit(s, 'L-1', { ...base, collectors: ['f2', 'f1'] }, { decisionId: c.decision.id })).toMatchObject({ recorded: true, duplicate: false });

    // a report without a decision checks in its own team first, and that team is stored with the decision
    const own = await reportVisit(s, 'L-2', report('2026-03-17', '2026-03-17T10:00:00+08:00', { collectors: ['f3', 'f4'] }), { gateFor });
    expect(own).toMatchObject({ recorded: true });
    expect((await teams()).find((t) => t.account === 'L-2')).toEqual({ decision: own.decisionId, account: 'L-2', collectors: ['f3', 'f4'] });

    // a decision checked in before migration 018 (no team stored): the older rule — who checked in among the collectors, the same side
    const old = await checkIn('L-3', ['f1', 'f2']);
    await s.db.deleteFrom('field_checkins').where('decision_id', '=', old.decision.id).execute();
    const missingLead = await catchValidationAsync(() => reportVisit(s, 'L-3', { ...base, collectors: ['f2', 'f3'] }, { decisionId: old.decision.id }));
    expect(missingLead.rule).toBe(`must include f1, who checked in (decision ${old.decision.id}), got f2, f3`);
    expect(await reportVisit(s, 'L-3', { ...base, collectors: ['f1', 'f3'] }, { decisionId: old.decision.id })).toMatchObject({ recorded: true });
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('feeds the visits facts from the stored reports (counted once) and a condition on them moves the stage', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2')]);
    await staff(s);
    await runCycle(s, '2026-03-15', { steps: [...STEPS, step(strategyStep(STRATEGY))] });
    const stageOf = async (id: string) => (await s.db.selectFrom('account_stage').select('stage').where('account_id', '=', id).executeTakeFirstOrThrow()).stage;
    expect(await stageOf('L-1')).toBe('field_visit');

    // nobody home twice at the residential address (the check-in in the report itself), the borrower met at L-2
    for (const [date, at] of [['2026-03-16', '2026-03-16T10:00:00+08:00'], ['2026-03-18', '2026-03-18T19:30:00+08:00']] as const) {
      expect(await reportVisit(s, 'L-1', report(date, at), { gateFor, now: at })).toMatchObject({ recorded: true });
    }
    expect(await reportVisit(s, 'L-2', report('2026-03-17', '2026-03-17T09:00:00+08:00', { met: 'borrower', outcome: 'refused_to_pay' }), { gateFor })).toMatchObject({ recorded: true });
    // each report is also a contact attempt on channel visit (no_answer, refused_to_pay)
    const att = await s.db.selectFrom('attempts').select(['account_id', 'outcome']).where('channel', '=', 'visit').orderBy('account_id').orderBy('id').execute();
    expect(att).toEqual([{ account_id: 'L-1', outcome: 'no_answer' }, { account_id: 'L-1', outcome: 'no_answer' }, { account_id: 'L-2', outcome: 'refused_to_pay' }]);

    const facts = async (id: string, date: string) => {
      const input = await loadFactsInputs(s.db, ['L-1', 'L-2'], date);
      const st = await s.db.selectFrom('account_state').selectAll().where('account_id', '=', id).executeTakeFirstOrThrow();
      return factsFor(STRATEGY, input, loan(id).account, rowToState(st), date, DEFAULT_BUCKETS).visits;
    };
    await runCycle(s, '2026-03-20', { steps: [...STEPS, step(strategyStep(STRATEGY))] });
    expect(await facts('L-1', '2026-03-20')).toEqual({ done: 2, reached: 0, failed: 2, residentialFailed: 2, idCardFailed: 0, daysSinceLast: 2 });
    expect(await facts('L-1', '2026-03-17')).toEqual({ done: 1, reached: 0, failed: 1, residentialFailed: 1, idCardFailed: 0, daysSinceLast: 1 });
    expect(await facts('L-2', '2026-03-20')).toEqual({ done: 1, reached: 1, failed: 0, residentialFailed: 0, idCardFailed: 0, daysSinceLast: 3 });

    expect(await stageOf('L-1')).toBe('skip_trace');
    expect(await stageOf('L-2')).toBe('field_visit');
    const move = await s.db.selectFrom('stage_moves').select(['business_date', 'from_stage', 'to_stage', 'condition']).where('account_id', '=', 'L-1').where('to_stage', '=', 'skip_trace').executeTakeFirstOrThrow();
    expect(move).toEqual({ business_date: '2026-03-18', from_stage: 'field_visit', to_stage: 'skip_trace', condition: 'visits.residentialFailed >= 2' });
  });

  it('takes only known field agents, or agents of the agency the account is placed with on the date, as collectors; refused before the gate', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2')]);
    await staff(s);
    await addAgency(s, { id: 'acme', name: 'ACME', commission: { M1: '0.2' }, placementDays: 30, capacity: 10, regions: ['US'] });
    await addAgency(s, { id: 'shfield', name: 'SH Field', commission: { M1: '0.2' }, placementDays: 30, capacity: 10, regions: ['CN'] });
    await addUser(s, { id: 'acme-kim', name: 'Kim', role: 'agency_agent', agencyId: 'acme' });
    await addUser(s, { id: 'sh-li', name: 'Li', role: 'agency_agent', agencyId: 'shfield' });
    await addUser(s, { id: 'sh-wu', name: 'Wu', role: 'agency_agent', agencyId: 'shfield' });
    await addUser(s, { id: 'grace', name: 'Grace', role: 'supervisor' });
    await addUser(s, { id: 'ann', name: 'Ann', role: 'agent' });
    // L-2 placed with shfield from 2026-03-10 to 2026-03-20 (exclusive)
    await s.db.insertInto('placements').values({
      account_id: 'L-2', agency_id: 'shfield', rule_id: 'r', bucket: 'M1', balance: 100000, currency: 'CNY', placed_on: '2026-03-10', ends_on: '2026-03-20',
      recalled_on: null, recall_reason: null, recall_ref: null, seed: 's', placed_at: '2026-03-10T00:00:00Z',
    }).execute();
    const at = '2026-03-16T10:00:00+08:00';
    const checkIn = (accountId: string, collectors: string[], when = at) => checkInVisit(s, { accountId, at: when, collectors, recording: true, noticeGiven: true }, gateFor);
    const refused: [string, string[], string, RegExp][] = [
      // a US agency agent and the supervisor on an unplaced Shanghai account
      ['L-1', ['acme-kim', 'grace'], 'collectors[0]', /acme-kim is an agent of agency acme, but account L-1 is not placed with an agency on 2026-03-16/],
      ['L-1', ['f1', 'grace'], 'collectors[1]', /grace is a supervisor: a collector must be a known user: one of the lender's field agents \(role field_agent\) or an agency agent/],
      ['L-1', ['f1', 'ann'], 'collectors[1]', /ann is an agent: /],
      ['L-1', ['f1', 'ghost'], 'collectors[1]', /unknown user "ghost"/],
      // an agency agent on another agency's account, and off the placement's dates
      ['L-2', ['acme-kim', 'f1'], 'collectors[0]', /acme-kim is an agent of agency acme, but account L-2 is placed with agency shfield on 2026-03-16/],
      ['L-1', ['sh-li', 'sh-wu'], 'collectors[0]', /sh-li is an agent of agency shfield, but account L-1 is not placed/],
      // a mixed team of the lender's and the agency's staff
      ['L-2', ['sh-li', 'f1'], 'collectors[1]', /f1 is of the lender's field staff but sh-li is of agency shfield: .* not mixed/],
    ];
    for (const [account, collectors, field, rule] of refused) {
      const e = await catchValidationAsync(() => checkIn(account, collectors));
      expect([e.field, e.rule]).toEqual([field, expect.stringMatching(rule)]);
    }
    const off = await catchValidationAsync(() => checkIn('L-2', ['sh-li', 'sh-wu'], '2026-03-20T10:00:00+08:00'));
    expect([off.field, off.rule]).toEqual(['collectors[0]', expect.stringMatching(/not placed with an agency on 2026-03-20/)]);
    // nothing was asked of the gate
    expect(await s.db.selectFrom('gate_decisions').select('id').execute()).toEqual([]);

    // the lender's field agents: no agency; the placed agency's agents: that agency on the decision
    const lender = await checkIn('L-1', ['f1', 'f2']);
    const agency = await checkIn('L-2', ['sh-li', 'sh-wu']);
    expect([lender.decision.allowed, agency.decision.allowed]).toEqual([true, true]);
    const rows = await s.db.selectFrom('gate_decisions').select(['debt_id', 'agent_id', 'agency_id']).orderBy('id').execute();
    expect(rows).toEqual([{ debt_id: 'L-1', agent_id: 'f1', agency_id: null }, { debt_id: 'L-2', agent_id: 'sh-li', agency_id: 'shfield' }]);

    // the report's collectors follow the same rule, and must be the team of the check-in's side
    const base = report('2026-03-16', null, { met: 'borrower', outcome: 'refused_to_pay' });
    const ghost = await catchValidationAsync(() => reportVisit(s, 'L-1', { ...base, collectors: ['f1', 'ghost'] }, { decisionId: lender.decision.id }));
    expect([ghost.field, ghost.rule]).toEqual(['collectors[1]', expect.stringMatching(/unknown user "ghost"/)]);
    const kim = await catchValidationAsync(() => reportVisit(s, 'L-2', { ...base, collectors: ['sh-li', 'acme-kim'] }, { decisionId: agency.decision.id }));
    expect(kim.field).toBe('collectors[1]');
    const noCheckIn = await catchValidationAsync(() => reportVisit(s, 'L-1', report('2026-03-17', '2026-03-17T10:00:00+08:00', { collectors: ['grace', 'f1'] }), { gateFor }));
    expect([noCheckIn.field, noCheckIn.rule]).toEqual(['collectors[0]', expect.stringMatching(/grace is a supervisor/)]);
    expect(await s.db.selectFrom('gate_decisions').select('id').execute()).toHaveLength(2);
    expect(await reportVisit(s, 'L-2', { ...base, collectors: ['sh-li', 'sh-wu'] }, { decisionId: agency.decision.id })).toMatchObject({ recorded: true });
    const att = await s.db.selectFrom('attempts').select(['agent_id', 'agency_id']).execute();
    expect(att).toEqual([{ agent_id: 'sh-li', agency_id: 'shfield' }]);
  });
});
