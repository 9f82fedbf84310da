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
import { checkInVisit, reportVisit, visitReports, type VisitGateFor } from '../../src/store/field.js';
import { listPromises } from '../../src/store/outcomes.js';
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

  it('feeds the visits facts from the stored reports (counted once) and a condition on them moves the stage', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2')]);
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
});
